// The DICOMweb use cases the API calls: which sources a project may use, a study search (nothing stored), and
// starting a pull as an IMPORT job. Each checks the caller's role in the project before the source is touched.
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Viewer } from '../../auth/viewer.js';
import { requireRole } from '../../auth/permissions.js';
import { badInput } from '../../domain/errors.js';
import { DicomwebClient } from '../../dicomweb/client.js';
import { isDicomUid, searchStudies, type StudySearchCriteria, type StudySearchHit } from '../../dicomweb/qido.js';
import { recordAudit } from '../audit.service.js';
import type { JobService } from '../jobs.service.js';
import type { JobRow } from '../job-store.js';
import { getProject } from '../projects.service.js';
import { sealPullParams } from './pull-params.js';
import { sourceForProject, sourcesForProject } from './sources.js';

export interface DicomwebDeps {
  readonly db: Database;
  readonly config: Config;
  readonly viewer: Viewer;
  readonly requestId?: string | null;
}

export interface SourceSummary {
  readonly name: string;
  readonly transferSyntax: string;
  readonly linkage: boolean;
}

/** At most this many studies per pull request. */
export const MAX_PULL_STUDIES = 500;

export async function listSourcesForProject(deps: DicomwebDeps, projectId: string): Promise<SourceSummary[]> {
  const project = await getProject(deps.db, projectId);
  requireRole(deps.viewer, project.id, 'VIEWER');
  return sourcesForProject(deps.config, project).map((s) => ({ name: s.name, transferSyntax: s.transferSyntax, linkage: s.linkage }));
}

export async function searchSource(
  deps: DicomwebDeps,
  input: { source: string; projectId: string; criteria: StudySearchCriteria },
): Promise<StudySearchHit[]> {
  const project = await getProject(deps.db, input.projectId);
  requireRole(deps.viewer, project.id, 'RESEARCHER');
  const source = sourceForProject(deps.config, input.source, project);
  const hits = await searchStudies(new DicomwebClient(source), input.criteria);
  // The accession number is an identifier: the audit records that one was used, not which.
  const { accessionNumber, ...criteria } = input.criteria;
  await recordAudit(deps.db, {
    viewer: deps.viewer,
    action: 'dicomweb.search',
    targetIds: [project.id],
    filter: { source: source.name, ...criteria, ...(accessionNumber ? { accessionNumber: '(given)' } : {}) },
    outcome: 'SUCCESS',
    requestId: deps.requestId ?? null,
    detail: `${hits.length} studies`,
  });
  return hits;
}

export async function startPull(
  deps: DicomwebDeps & { readonly jobs: JobService },
  input: { source: string; projectId: string; studyInstanceUids: readonly string[] },
): Promise<JobRow> {
  const project = await getProject(deps.db, input.projectId);
  requireRole(deps.viewer, project.id, 'RESEARCHER');
  const source = sourceForProject(deps.config, input.source, project);
  const uids = [...new Set(input.studyInstanceUids.map((u) => u.trim()))];
  if (uids.length === 0) throw badInput('studyInstanceUids is empty', { field: 'studyInstanceUids' });
  if (uids.length > MAX_PULL_STUDIES) throw badInput(`At most ${MAX_PULL_STUDIES} studies per pull`, { field: 'studyInstanceUids' });
  const bad = uids.find((u) => !isDicomUid(u));
  if (bad !== undefined) throw badInput(`"${bad.slice(0, 70)}" is not a DICOM UID`, { field: 'studyInstanceUids' });
  return deps.jobs.start('IMPORT', sealPullParams(deps.config.patientKeySecret, source.name, project.id, uids), {
    projectId: project.id,
    requestedById: deps.viewer.userId,
  });
}
