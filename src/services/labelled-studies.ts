// Stored studies -> LabelledStudy: the pipeline input (lazily loaded slices) plus labels and label coordinates
// whose instance was imported (a coordinate without one cannot be placed in any image).
import type { Database } from '../db/client.js';
import type { Condition, Level, Severity } from '../domain/vocabulary.js';
import { loadStudyInputs } from './inference/study-input.js';
import type { LabelledStudy } from '../training/export/labelled-study.js';

export async function loadLabelledStudies(db: Database, studyIds: readonly string[]): Promise<LabelledStudy[]> {
  const [inputs, grades, points] = await Promise.all([
    loadStudyInputs(db, studyIds),
    db.sql.query<{ studyId: string; condition: Condition; level: Level; severity: Severity }>(
      `SELECT "studyId", condition::text AS condition, level::text AS level, severity::text AS severity
       FROM "Label" WHERE "studyId" = ANY($1::uuid[]) ORDER BY "studyId", condition, level`,
      [studyIds],
    ),
    db.sql.query<{ studyId: string; condition: Condition; level: Level; seriesId: string; sopInstanceUid: string; x: number; y: number }>(
      `SELECT c."studyId", c.condition::text AS condition, c.level::text AS level, c."seriesId", i."sopInstanceUid", c.x, c.y
       FROM "LabelCoordinate" c JOIN "Instance" i ON i.id = c."instanceId"
       WHERE c."studyId" = ANY($1::uuid[]) ORDER BY c."studyId", c.condition, c.level`,
      [studyIds],
    ),
  ]);
  const gradesOf = groupBy(grades, (g) => g.studyId);
  const pointsOf = groupBy(points, (p) => p.studyId);
  return inputs.map((input) => ({
    input,
    grades: (gradesOf.get(input.studyId) ?? []).map(({ condition, level, severity }) => ({ condition, level, severity })),
    points: (pointsOf.get(input.studyId) ?? []).map(({ condition, level, seriesId, sopInstanceUid, x, y }) => ({
      condition,
      level,
      seriesId,
      sopInstanceUid,
      x: Number(x),
      y: Number(y),
    })),
  }));
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
