// Prediction."labelSeverity" (a copy of the row's label, kept by triggers) and "weightedLoss" (generated from it and
// the probabilities) are what compareModelSets, agreement and the DISAGREEMENT queue read instead of joining Label:
// after every kind of write (the inference writer, the label import's upsert, bulk SQL, label changes and deletes,
// TRUNCATE, a bulk load that bypassed triggers and its repair) they must equal what the rows themselves say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../src/domain/vocabulary.js';
import { upsertLabels } from '../../src/services/import/import-writer.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { lcg, predictionsOnlyResult, randomLabelRows, randomPredictions } from '../support/random-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Some exact zeros and ones, so the clip matters.
const result = (studyId: string, random: () => number) =>
  predictionsOnlyResult(studyId, randomPredictions(random, { scale: [1, 0.6, 0.3], certainShare: 0.1 }));

const EPS = 2.220446049250313e-16;
const WEIGHT: Record<Severity, number> = { NORMAL_MILD: 1, MODERATE: 2, SEVERE: 4 };

/** The metric's term of one row, computed here from the probabilities (numpy's log_loss clip and renormalisation). */
function weightedLoss(label: Severity, p: readonly [number, number, number]): number {
  const c = p.map((x) => Math.min(Math.max(x, EPS), 1 - EPS));
  const k = SEVERITIES.indexOf(label);
  return WEIGHT[label] * -Math.log(c[k] / (c[0] + c[1] + c[2]));
}

interface Row extends Record<string, unknown> {
  id: string;
  copied: Severity | null;
  label: Severity | null;
  normalMild: number;
  moderate: number;
  severe: number;
  weightedLoss: number | null;
}

describe('Prediction.labelSeverity and weightedLoss', () => {
  let t: TestDatabase;
  let sets: string[];
  let studyIds: string[];
  const random = lcg(11);

  /** Every prediction: its copy of the label equals the label, its weightedLoss the metric's term (NULL unlabelled). */
  async function expectCopiesExact(): Promise<number> {
    const rows = await t.db.sql.query<Row>(
      `SELECT p.id, p."labelSeverity"::text AS copied, l.severity::text AS label, p."normalMild", p.moderate, p.severe, p."weightedLoss"
       FROM "Prediction" p LEFT JOIN "Label" l ON l."studyId" = p."studyId" AND l.condition = p.condition AND l.level = p.level`,
    );
    for (const r of rows) {
      expect(r.copied).toBe(r.label);
      if (r.label === null) expect(r.weightedLoss).toBeNull();
      else expect(r.weightedLoss).toBeCloseTo(weightedLoss(r.label, [r.normalMild, r.moderate, r.severe]), 12);
    }
    return rows.filter((r) => r.label !== null).length;
  }

  async function externalIds(): Promise<Map<string, string>> {
    const rows = await t.db.sql.query<{ id: string; externalId: string }>(`SELECT id, "externalId" FROM "Study" ORDER BY "externalId"`);
    return new Map(rows.map((r) => [r.externalId, r.id]));
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    const [project] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'copy') RETURNING id`,
    );
    sets = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), 'a', 'ha'), (gen_random_uuid(), 'b', 'hb') RETURNING id`,
      )
    ).map((r) => r.id);
    studyIds = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt")
         SELECT gen_random_uuid(), $1::uuid, 'copy-' || lpad(n::text, 2, '0'), now() FROM generate_series(1, 8) AS n RETURNING id`,
        [project?.id],
      )
    ).map((r) => r.id);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('a prediction written before or after its label carries it; label changes and deletes follow', async () => {
    // Predictions of set A for half the studies, then labels for all, then set A's other half and set B.
    for (const id of studyIds.slice(0, 4)) await writeStudyResult(t.db, result(id, random), sets[0] as string, null);
    expect(await expectCopiesExact()).toBe(0);
    const ids = await externalIds();
    await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()]));
    expect(await expectCopiesExact()).toBe(4 * 25);
    for (const id of studyIds.slice(4)) await writeStudyResult(t.db, result(id, random), sets[0] as string, null);
    for (const id of studyIds) await writeStudyResult(t.db, result(id, random), sets[1] as string, null);
    expect(await expectCopiesExact()).toBe(2 * 8 * 25);
    // A rerun rewrites the probabilities: the loss follows, the label stays.
    await writeStudyResult(t.db, result(studyIds[0] as string, random), sets[0] as string, null);
    await expectCopiesExact();
    // A second CSV changes some severities (the import's upsert), bulk SQL changes and moves others.
    await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()].slice(0, 3)));
    await t.db.sql.query(`UPDATE "Label" SET severity = 'SEVERE' WHERE level = 'L4_L5'`);
    // A label moved to another level: the old key's predictions lose it, the new key's take it.
    const spinal = `condition = 'SPINAL_CANAL_STENOSIS' AND "studyId" = $1::uuid`;
    await t.db.sql.query(`DELETE FROM "Label" WHERE level = 'L1_L2' AND ${spinal}`, [studyIds[1]]);
    await t.db.sql.query(`UPDATE "Label" SET level = 'L1_L2' WHERE level = 'L2_L3' AND ${spinal}`, [studyIds[1]]);
    expect(await expectCopiesExact()).toBe(2 * 8 * 25 - 2);
    await t.db.sql.query(`DELETE FROM "Label" WHERE condition = 'LEFT_SUBARTICULAR_STENOSIS'`);
    expect(await expectCopiesExact()).toBe(2 * 8 * 20 - 2);
    // Bulk predictions of a new row set by INSERT ... SELECT: the row trigger copies each label.
    await t.db.sql.query(`DELETE FROM "Prediction" WHERE "modelSetId" = $1::uuid`, [sets[1]]);
    await t.db.sql.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
       SELECT gen_random_uuid(), s.id, c, l, 0.2, 0.3, 0.5, 'SEVERE', $1::uuid, now()
       FROM "Study" s, unnest(enum_range(NULL::"Condition")) c, unnest(enum_range(NULL::"Level")) l`,
      [sets[1]],
    );
    expect(await expectCopiesExact()).toBe(2 * 8 * 20 - 2);
  });

  it('TRUNCATE clears the copies; a load that bypassed triggers is repaired by Prediction_label_rebuild()', async () => {
    await t.db.sql.exec(`TRUNCATE "Label"`);
    expect(await expectCopiesExact()).toBe(0);
    // Replica mode skips triggers (as the benchmark's bulk loads do): the copies are stale until the rebuild.
    await t.db.sql.exec(`BEGIN; SET LOCAL session_replication_role = replica;
      INSERT INTO "Label" (id, "studyId", condition, level, severity, "updatedAt")
      SELECT gen_random_uuid(), s.id, c, l, 'MODERATE', now()
      FROM "Study" s, unnest(enum_range(NULL::"Condition")) c, unnest(enum_range(NULL::"Level")) l; COMMIT;`);
    const [copied] = await t.db.sql.query<{ n: number }>(`SELECT count("labelSeverity")::int AS n FROM "Prediction"`);
    expect(copied?.n).toBe(0);
    await t.db.sql.query(`SELECT "Prediction_label_rebuild"()`);
    expect(await expectCopiesExact()).toBe(2 * 8 * 25);
  });
});
