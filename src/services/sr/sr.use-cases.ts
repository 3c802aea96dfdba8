// The SR use cases: download a study's SR (project-scoped like every export) and store it to a DICOMweb source
// over STOW-RS. Both are audited, with whether the SR named original (linked) or pseudonymous UIDs.
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Viewer } from '../../auth/viewer.js';
import { requireRole } from '../../auth/permissions.js';
import { AppError, badInput, notFound } from '../../domain/errors.js';
import { DicomwebClient } from '../../dicomweb/client.js';
import { JSON_TAG, jsonSequence, jsonString } from '../../dicomweb/dicom-json.js';
import { recordAudit } from '../audit.service.js';
import { resolveModelSetId } from '../model-sets.service.js';
import { getProject } from '../projects.service.js';
import { selectStudyIds } from '../studies.service.js';
import { sourceForProject } from '../dicomweb/sources.js';
import { loadStudySr } from './load-study-sr.js';

export interface SrDeps {
  readonly db: Database;
  readonly config: Config;
  readonly viewer: Viewer;
  readonly requestId?: string | null;
}

async function visibleStudy(deps: SrDeps, studyId: string): Promise<string> {
  const [study] = await selectStudyIds(deps.db, deps.viewer.scope, { ids: [studyId] }, null);
  if (!study) throw notFound('Study', studyId);
  return study.projectId;
}

async function modelSetOf(deps: SrDeps, requested: string | null | undefined): Promise<string> {
  const id = await resolveModelSetId(deps.db, requested);
  if (!id) throw badInput('No model set is active; pass modelSetId', { field: 'modelSetId' });
  return id;
}

/** The SR as a Part 10 file, for `GET /exports/studies/{id}/sr.dcm`. */
export async function exportStudySr(
  deps: SrDeps,
  input: { studyId: string; modelSetId?: string | null },
): Promise<{ bytes: Buffer; sopInstanceUid: string; linked: boolean }> {
  const projectId = await visibleStudy(deps, input.studyId);
  const modelSetId = await modelSetOf(deps, input.modelSetId);
  const sr = await loadStudySr(deps.db, { studyId: input.studyId, modelSetId, linkageKey: deps.config.dicomweb.linkageKey });
  await recordAudit(deps.db, {
    viewer: deps.viewer,
    action: 'export.sr',
    targetIds: [input.studyId, modelSetId, projectId],
    outcome: 'SUCCESS',
    requestId: deps.requestId ?? null,
    detail: sr.linked ? 'linked: original UIDs' : 'pseudonymous UIDs',
  });
  return sr;
}

/** Stores the SR to a source over STOW-RS; the archive's answer is checked for the SR's SOP Instance UID. */
export async function storeStudySr(
  deps: SrDeps,
  input: { studyId: string; source: string; modelSetId?: string | null },
): Promise<{ sopInstanceUid: string; studyInstanceUid: string; linked: boolean }> {
  const projectId = await visibleStudy(deps, input.studyId);
  requireRole(deps.viewer, projectId, 'RESEARCHER');
  const source = sourceForProject(deps.config, input.source, await getProject(deps.db, projectId));
  const modelSetId = await modelSetOf(deps, input.modelSetId);
  // Original UIDs only go back to a source with linkage on (the operator's choice per source).
  const sr = await loadStudySr(deps.db, {
    studyId: input.studyId,
    modelSetId,
    linkageKey: source.linkage ? deps.config.dicomweb.linkageKey : undefined,
  });
  const answer = await new DicomwebClient(source).store([sr.bytes], 'storing the SR');
  const failed = answer ? jsonSequence(answer, JSON_TAG.FailedSOPSequence) : [];
  const stored = answer
    ? jsonSequence(answer, JSON_TAG.ReferencedSOPSequence).map((r) => jsonString(r, JSON_TAG.ReferencedSOPInstanceUID))
    : [];
  const ok = failed.length === 0 && (answer === null || stored.includes(sr.sopInstanceUid));
  await recordAudit(deps.db, {
    viewer: deps.viewer,
    action: 'dicomweb.storeSr',
    targetIds: [input.studyId, modelSetId, projectId],
    filter: { source: source.name },
    outcome: ok ? 'SUCCESS' : 'ERROR',
    requestId: deps.requestId ?? null,
    detail: sr.linked ? 'linked: original UIDs' : 'pseudonymous UIDs',
  });
  if (!ok) {
    const reason = failed.length ? jsonString(failed[0], JSON_TAG.FailureReason) : null;
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `DICOMweb source "${source.name}" did not store the SR${reason ? ` (failure reason ${reason})` : ''}`,
    );
  }
  return { sopInstanceUid: sr.sopInstanceUid, studyInstanceUid: sr.studyInstanceUid, linked: sr.linked };
}
