import type { CohortVersionRow, SavedCohortRow } from '../services/saved-cohorts.service.js';
import type { CohortVersion, SavedCohort } from '../schema/saved-cohort.type.js';

function toCohortVersion(v: CohortVersionRow): CohortVersion {
  return {
    id: v.id,
    version: v.version,
    description: v.description,
    filterJson: JSON.stringify(v.filter),
    studyIds: [...v.studyIds],
    studyCount: v.studyCount,
    hash: v.hash,
    createdBy: v.createdBy,
    createdAt: v.createdAt,
  };
}

export function toSavedCohort(c: SavedCohortRow): SavedCohort {
  const versions = c.versions.map(toCohortVersion);
  return { id: c.id, projectId: c.projectId, name: c.name, createdAt: c.createdAt, latest: versions[0], versions, citations: c.citations };
}
