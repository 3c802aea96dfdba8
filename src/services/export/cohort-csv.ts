// The cohort export: one row per study, condition and level of a saved cohort's version, with the label, the model
// set's probabilities, argmax severity and fallback, the study's stratifiers and the cohort's hash (docs/cohorts.md
// lists the columns). Every cell goes through the CSV-injection-safe writer. Streamed a page of studies at a time.
import type { Viewer } from '../../auth/viewer.js';
import type { Database } from '../../db/client.js';
import { CONDITIONS, LEVELS } from '../../domain/vocabulary.js';
import { citeCohort, type CohortReference } from '../saved-cohorts.service.js';
import { SqlBuilder, studyFilterCondition } from '../study-filter-sql.js';
import { csvRecord } from './csv-cell.js';

export const COHORT_CSV_COLUMNS = [
  'cohort_id',
  'cohort_version',
  'cohort_hash',
  'study_id',
  'external_id',
  'condition',
  'level',
  'label',
  'normal_mild',
  'moderate',
  'severe',
  'predicted_severity',
  'fallback',
  'sex',
  'age_band',
  'manufacturer',
  'field_strength_t',
  'slice_thickness_mm',
] as const;

interface StudyRow extends Record<string, unknown> {
  id: string;
  externalId: string;
  sex: string | null;
  ageBand: string | null;
  manufacturer: string | null;
  fieldStrength: number | null;
  sliceThickness: number | null;
}

export interface CohortExport {
  readonly cohort: CohortReference;
  readonly chunks: AsyncGenerator<string>;
}

/**
 * Checks the cohort is visible to the viewer (NOT_FOUND otherwise), records the citation, and returns the CSV as
 * chunks. `version` null: the latest.
 */
export async function exportCohortCsv(
  db: Database,
  viewer: Viewer,
  args: { cohortId: string; version: number | null; modelSetId: string; pageSize?: number },
): Promise<CohortExport> {
  const filter = { cohortId: args.cohortId, cohortVersion: args.version };
  const cohort = await citeCohort(db, { scope: viewer.scope, filter, kind: 'EXPORT', userId: viewer.userId });
  if (!cohort) throw new Error('unreachable: a cohort id was given');
  // The version cited, pinned, so a version saved while streaming cannot change what this export holds.
  const pinned = { cohortId: args.cohortId, cohortVersion: cohort.version };
  return { cohort, chunks: rows(db, viewer, pinned, cohort, args.modelSetId, args.pageSize ?? 500) };
}

async function* rows(
  db: Database,
  viewer: Viewer,
  filter: { cohortId: string; cohortVersion: number },
  cohort: CohortReference,
  modelSetId: string,
  pageSize: number,
): AsyncGenerator<string> {
  yield `${COHORT_CSV_COLUMNS.join(',')}\n`;
  let after: string | null = null;
  for (;;) {
    const b = new SqlBuilder();
    const where = studyFilterCondition(b, filter, viewer.scope, modelSetId);
    const keyset: string = after ? ` AND s."externalId" > ${b.param(after)}` : '';
    const studies: StudyRow[] = await db.sql.query<StudyRow>(
      `SELECT s.id, s."externalId", s.sex, s."ageBand", s.manufacturer, s."fieldStrength", s."sliceThickness"
       FROM "Study" s WHERE ${where}${keyset} ORDER BY s."externalId" LIMIT ${b.param(pageSize)}`,
      b.params,
    );
    if (studies.length === 0) return;
    yield await page(db, studies, cohort, modelSetId);
    after = studies[studies.length - 1].externalId;
    if (studies.length < pageSize) return;
  }
}

async function page(db: Database, studies: readonly StudyRow[], cohort: CohortReference, modelSetId: string): Promise<string> {
  const ids = studies.map((s) => s.id);
  const [labels, preds] = await Promise.all([
    db.sql.query<{ studyId: string; condition: string; level: string; severity: string }>(
      `SELECT "studyId", condition::text, level::text, severity::text FROM "Label" WHERE "studyId" = ANY($1::uuid[])`,
      [ids],
    ),
    db.sql.query<{
      studyId: string;
      condition: string;
      level: string;
      normalMild: number;
      moderate: number;
      severe: number;
      severity: string;
      fallback: string | null;
    }>(
      `SELECT "studyId", condition::text, level::text, "normalMild", moderate, severe, severity::text, fallback
       FROM "Prediction" WHERE "modelSetId" = $1::uuid AND "studyId" = ANY($2::uuid[])`,
      [modelSetId, ids],
    ),
  ]);
  const label = new Map(labels.map((l) => [`${l.studyId}|${l.condition}|${l.level}`, l.severity]));
  const pred = new Map(preds.map((p) => [`${p.studyId}|${p.condition}|${p.level}`, p]));
  let chunk = '';
  for (const s of studies) {
    const strata = [s.sex ?? '', s.ageBand ?? '', s.manufacturer ?? '', num(s.fieldStrength), num(s.sliceThickness)];
    for (const condition of CONDITIONS) {
      for (const level of LEVELS) {
        const key = `${s.id}|${condition}|${level}`;
        const p = pred.get(key);
        chunk += csvRecord([
          cohort.id,
          String(cohort.version),
          cohort.hash,
          s.id,
          s.externalId,
          condition,
          level,
          label.get(key) ?? '',
          p ? prob(p.normalMild) : '',
          p ? prob(p.moderate) : '',
          p ? prob(p.severe) : '',
          p?.severity ?? '',
          p?.fallback ?? '',
          ...strata,
        ]);
      }
    }
  }
  return chunk;
}

const prob = (x: number): string => Number(x).toPrecision(6);
const num = (x: number | null): string => (x === null ? '' : String(x));
