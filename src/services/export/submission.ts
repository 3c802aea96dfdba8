// The Kaggle submission: `row_id,normal_mild,moderate,severe`, every one of the 25 rows of every selected study,
// as RFC 4180 CSV safe to open in a spreadsheet.
import type { Database } from '../../db/client.js';
import type { ProjectScope, StudyFilterInput } from '../../domain/study-filter.js';
import { CONDITIONS, LEVELS, submissionRowId } from '../../domain/vocabulary.js';
import { SqlBuilder, studyFilterCondition } from '../study-filter-sql.js';
import { csvRecord } from './csv-cell.js';

export const SUBMISSION_HEADER = 'row_id,normal_mild,moderate,severe\n';

/** Yields CSV chunks, one per page of studies, so large cohorts stream without being held in memory. */
export async function* submissionCsv(
  db: Database,
  args: { scope: ProjectScope; filter?: StudyFilterInput | null; modelSetId: string; pageSize?: number },
): AsyncGenerator<string> {
  yield SUBMISSION_HEADER;
  const pageSize = args.pageSize ?? 500;
  let after: string | null = null;
  for (;;) {
    const b = new SqlBuilder();
    const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
    const keyset: string = after ? ` AND s."externalId" > ${b.param(after)}` : '';
    const studies: { id: string; externalId: string }[] = await db.sql.query<{ id: string; externalId: string }>(
      `SELECT s.id, s."externalId" FROM "Study" s WHERE ${where}${keyset} ORDER BY s."externalId" LIMIT ${b.param(pageSize)}`,
      b.params,
    );
    if (studies.length === 0) return;
    const preds = await db.sql.query<{
      studyId: string;
      condition: string;
      level: string;
      normalMild: number;
      moderate: number;
      severe: number;
    }>(
      `SELECT "studyId", condition::text, level::text, "normalMild", moderate, severe FROM "Prediction" WHERE "modelSetId" = $1::uuid AND "studyId" = ANY($2::uuid[])`,
      [args.modelSetId, studies.map((s) => s.id)],
    );
    const byKey = new Map(preds.map((p) => [`${p.studyId}|${p.condition}|${p.level}`, p]));
    let chunk = '';
    for (const s of studies) {
      for (const condition of CONDITIONS) {
        for (const level of LEVELS) {
          const p = byKey.get(`${s.id}|${condition}|${level}`);
          // Every row must be present: a study the model has not run on gets the uniform triple.
          const [a, m, v] = p ? [p.normalMild, p.moderate, p.severe] : [1 / 3, 1 / 3, 1 / 3];
          // The row id carries the study's folder name: quoted and neutralised (csv-cell.ts); numbers are plain.
          chunk += csvRecord([submissionRowId(s.externalId, condition, level), fmt(a), fmt(m), fmt(v)]);
        }
      }
    }
    yield chunk;
    after = studies[studies.length - 1].externalId;
    if (studies.length < pageSize) return;
  }
}

const fmt = (x: number): string => Number(x).toPrecision(6);
