// compareModelSets reads each study's sums from StudyMetricTerms where both sets predicted the same labelled cells,
// and sums the paired Prediction rows where they did not. Here set B predicted only some conditions of some studies
// and some labels are missing, so both ways are taken: each set's score must equal the metric recomputed here from
// the paired rows, and the row and study counts the pairs'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/auth/viewer.js';
import { CONDITIONS, type Condition, type Severity } from '../../src/domain/vocabulary.js';
import { upsertLabels } from '../../src/services/import/import-writer.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { compareModelSets } from '../../src/services/model-comparison.service.js';
import { lcg, predictionsOnlyResult, randomLabelRows, randomPredictions } from '../support/random-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const EPS = 2.220446049250313e-16;
const WEIGHT: Record<Severity, number> = { NORMAL_MILD: 1, MODERATE: 2, SEVERE: 4 };
const PART_OF = (c: Condition): number => (c === 'SPINAL_CANAL_STENOSIS' ? 0 : c.includes('FORAMINAL') ? 1 : 2);

interface Pair extends Record<string, unknown> {
  studyId: string;
  condition: Condition;
  label: Severity;
  la: number;
  lb: number;
  sa: number;
  sb: number;
}

/** Each set's four parts and overall, from the paired rows (evaluation.service.ts's definition). */
function scores(pairs: readonly Pair[]): { a: number[]; b: number[] } {
  const sum = { a: [0, 0, 0, 0], b: [0, 0, 0, 0], w: [0, 0, 0, 0] };
  const spinal = new Map<string, Pair[]>();
  for (const p of pairs) {
    const k = PART_OF(p.condition);
    sum.a[k] += p.la;
    sum.b[k] += p.lb;
    sum.w[k] += WEIGHT[p.label];
    if (k === 0) spinal.set(p.studyId, [...(spinal.get(p.studyId) ?? []), p]);
  }
  const clip = (x: number): number => Math.min(Math.max(x, EPS), 1 - EPS);
  for (const rows of spinal.values()) {
    const y = rows.some((r) => r.label === 'SEVERE');
    const w = Math.max(...rows.map((r) => WEIGHT[r.label]));
    const loss = (p: number): number => w * (y ? -Math.log(clip(p)) : -Math.log(1 - clip(p)));
    sum.a[3] += loss(Math.max(...rows.map((r) => r.sa)));
    sum.b[3] += loss(Math.max(...rows.map((r) => r.sb)));
    sum.w[3] += w;
  }
  const parts = (s: number[]): number[] => {
    const p = s.map((x, k) => x / sum.w[k]);
    return [...p, (p[0] + p[1] + p[2] + p[3]) / 4];
  };
  return { a: parts(sum.a), b: parts(sum.b) };
}

describe('compareModelSets on sets that predicted different rows', () => {
  let t: TestDatabase;
  let sets: string[];
  const random = lcg(5);
  const result = (studyId: string, conditions: readonly Condition[]) =>
    predictionsOnlyResult(studyId, randomPredictions(random, { conditions, scale: [1, 0.6, 0.4] }));

  beforeAll(async () => {
    t = await createTestDatabase();
    const [project] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'pairs') RETURNING id`,
    );
    sets = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), 'a', 'ha'), (gen_random_uuid(), 'b', 'hb') RETURNING id`,
      )
    ).map((r) => r.id);
    const studies = await t.db.sql.query<{ id: string; externalId: string }>(
      `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'pairs-' || lpad(n::text, 2, '0'), now() FROM generate_series(1, 12) AS n RETURNING id, "externalId"`,
      [project?.id],
    );
    await upsertLabels(
      t.db.sql,
      new Map(studies.map((s) => [s.externalId, s.id])),
      randomLabelRows(
        random,
        studies.map((s) => s.externalId),
      ),
    );
    // Some labels missing; B predicted all of some studies, only the spinal or the foraminal rows of others, none of one.
    await t.db.sql.query(`DELETE FROM "Label" WHERE level = 'L5_S1' AND "studyId" = ANY($1::uuid[])`, [
      studies.slice(0, 3).map((s) => s.id),
    ]);
    for (const [i, s] of studies.entries()) {
      await writeStudyResult(t.db, result(s.id, CONDITIONS), sets[0], null);
      const b =
        i % 4 === 0 ? CONDITIONS : i % 4 === 1 ? CONDITIONS.slice(0, 1) : i % 4 === 2 ? CONDITIONS.slice(1, 3) : i === 11 ? [] : CONDITIONS;
      if (b.length) await writeStudyResult(t.db, result(s.id, b), sets[1], null);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('scores each set on exactly the rows both predicted', async () => {
    const pairs = await t.db.sql.query<Pair>(
      `SELECT pa."studyId", pa.condition::text, pa."labelSeverity"::text AS label, pa."weightedLoss" AS la, pb."weightedLoss" AS lb,
              pa.severe AS sa, pb.severe AS sb
       FROM "Prediction" pa JOIN "Prediction" pb ON pb."studyId" = pa."studyId" AND pb.condition = pa.condition AND pb.level = pa.level
       WHERE pa."modelSetId" = $1::uuid AND pb."modelSetId" = $2::uuid AND pa."labelSeverity" IS NOT NULL`,
      sets,
    );
    const [differing] = await t.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "StudyMetricTerms" a JOIN "StudyMetricTerms" b ON b."studyId" = a."studyId" AND b."modelSetId" = $2::uuid
       WHERE a."modelSetId" = $1::uuid AND a."labelSevereMask" | a."labelModerateMask" | a."labelNormalMildMask" <> b."labelSevereMask" | b."labelModerateMask" | b."labelNormalMildMask"`,
      sets,
    );
    expect(differing?.n).toBeGreaterThan(0);
    const c = await compareModelSets(t.db, { scope: LOCAL_ADMIN.scope, a: sets[0], b: sets[1], resamples: 50, seed: 3 });
    expect(c.rowCount).toBe(pairs.length);
    expect(c.studyCount).toBe(new Set(pairs.map((p) => p.studyId)).size);
    const ref = scores(pairs);
    const order = ['spinal', 'foraminal', 'subarticular', 'anySevereSpinal', 'overall'];
    for (const [k, part] of order.entries()) {
      const got = c.parts.find((p) => p.part === part);
      expect(Math.abs((got?.a ?? NaN) - ref.a[k]), `${part} a`).toBeLessThan(1e-12);
      expect(Math.abs((got?.b ?? NaN) - ref.b[k]), `${part} b`).toBeLessThan(1e-12);
    }
  });
});
