// markReviewed: a researcher of the study's project marks a (study, condition, level) row reviewed, optionally with
// a corrected label (source: review). The original Label row is never changed; the correction and what the label
// said at the time are kept on the ReviewMark, who and when too, and the mutation is in the audit log (audit-plugin).
import { requireRole } from '../auth/permissions.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/client.js';
import { badInput, notFound } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { Condition, Level, Severity } from '../domain/vocabulary.js';
import { selectStudyIds } from './studies.service.js';

export const MAX_REVIEW_NOTE = 2000;

export interface ReviewMarkInput {
  readonly studyId: string;
  readonly condition: Condition;
  readonly level: Level;
  /** The reviewer's label; null: reviewed, no correction. */
  readonly severity?: Severity | null;
  readonly note?: string | null;
}

export interface ReviewMarkRow {
  readonly studyId: string;
  readonly condition: Condition;
  readonly level: Level;
  readonly severity: Severity | null;
  readonly labelSeverity: Severity | null;
  readonly note: string | null;
  readonly reviewedById: string | null;
  readonly reviewedAt: Date;
}

export async function markReviewed(db: Database, viewer: Viewer, input: ReviewMarkInput): Promise<ReviewMarkRow> {
  if (!isUuid(input.studyId)) throw badInput(`Study id "${input.studyId}" is not a valid id`, { field: 'studyId' });
  if (input.note && input.note.length > MAX_REVIEW_NOTE)
    throw badInput(`note must be at most ${MAX_REVIEW_NOTE} characters`, { field: 'note' });
  const visible = await selectStudyIds(db, viewer.scope, { ids: [input.studyId] }, null);
  if (visible.length === 0) throw notFound('Study', input.studyId);
  requireRole(viewer, visible[0].projectId, 'RESEARCHER');
  const [row] = await db.sql.query<ReviewMarkRow & Record<string, unknown>>(
    `INSERT INTO "ReviewMark" (id, "studyId", condition, level, severity, "labelSeverity", note, "reviewedById", "reviewedAt")
     SELECT gen_random_uuid(), $1::uuid, $2::"Condition", $3::"Level", $4::"Severity",
            (SELECT l.severity FROM "Label" l WHERE l."studyId" = $1::uuid AND l.condition = $2::"Condition" AND l.level = $3::"Level"), $5, $6::uuid, now()
     ON CONFLICT ("studyId", condition, level) DO UPDATE SET severity = EXCLUDED.severity, note = EXCLUDED.note,
       "reviewedById" = EXCLUDED."reviewedById", "reviewedAt" = EXCLUDED."reviewedAt"
     RETURNING "studyId", condition::text AS condition, level::text AS level, severity::text AS severity, "labelSeverity"::text AS "labelSeverity",
               note, "reviewedById", "reviewedAt"`,
    [input.studyId, input.condition, input.level, input.severity ?? null, input.note ?? null, viewer.userId],
  );
  return row;
}
