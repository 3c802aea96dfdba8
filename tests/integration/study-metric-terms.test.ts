// StudyMetricTerms (one row per model set and study, kept by triggers on Prediction: migration
// 20261203191459_study_metric_terms) is what compareModelSets, agreement and the grouped cohortSummary read instead of
// the Prediction rows. After every kind of write (the inference writer and its reruns, label imports and changes
// that the label triggers copy onto Prediction, a review correction, bulk SQL, study and model set deletion, a bulk
// load that bypassed triggers and its repair, two writers of the same study at once) it must equal a recomputation
// from scratch, done here in TypeScript from the Prediction rows.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/auth/viewer.js';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity } from '../../src/domain/vocabulary.js';
import { upsertLabels } from '../../src/services/import/import-writer.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { markReviewed } from '../../src/services/review-mark.service.js';
import { lcg, predictionsOnlyResult, randomLabelRows, randomPredictions } from '../support/random-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface PredictionFact extends Record<string, unknown> {
  modelSetId: string;
  studyId: string;
  condition: Condition;
  level: Level;
  severity: Severity;
  labelSeverity: Severity | null;
  normalMild: number;
  moderate: number;
  severe: number;
  weightedLoss: number | null;
}

interface Terms {
  modelSetId: string;
  studyId: string;
  masks: number[];
  losses: number[];
  spinalSevereMax: number | null;
  probabilities: string;
}

const cellOf = (r: PredictionFact): number => CONDITIONS.indexOf(r.condition) * LEVELS.length + LEVELS.indexOf(r.level);

/** The rows StudyMetricTerms should hold, from the Prediction rows alone (losses summed in cell order). */
function expectedTerms(rows: readonly PredictionFact[]): Terms[] {
  const byPair = new Map<string, PredictionFact[]>();
  for (const r of rows) {
    const key = `${r.modelSetId}|${r.studyId}`;
    byPair.set(key, [...(byPair.get(key) ?? []), r]);
  }
  return [...byPair.values()].map((pair) => {
    const cells = [...pair].sort((a, b) => cellOf(a) - cellOf(b));
    const masks = [0, 0, 0, 0, 0, 0];
    const losses = [0, 0, 0];
    let spinalSevereMax: number | null = null;
    const probabilities: number[] = [];
    for (const r of cells) {
      const cell = cellOf(r);
      masks[SEVERITIES.indexOf(r.severity)] |= 1 << cell;
      if (r.labelSeverity === null) continue;
      masks[3 + SEVERITIES.indexOf(r.labelSeverity)] |= 1 << cell;
      losses[cell < 5 ? 0 : cell < 15 ? 1 : 2] += r.weightedLoss ?? NaN;
      if (cell < 5) spinalSevereMax = Math.max(spinalSevereMax ?? -Infinity, r.severe);
      probabilities.push(r.normalMild, r.moderate, r.severe);
    }
    const bytes = Buffer.alloc(8 * probabilities.length);
    probabilities.forEach((p, i) => bytes.writeDoubleBE(p, 8 * i));
    return {
      modelSetId: cells[0].modelSetId,
      studyId: cells[0].studyId,
      masks,
      losses,
      spinalSevereMax,
      probabilities: bytes.toString('hex'),
    };
  });
}

const byPair = (a: Terms, b: Terms): number => (a.modelSetId + a.studyId < b.modelSetId + b.studyId ? -1 : 1);

describe('StudyMetricTerms', () => {
  let t: TestDatabase;
  let sets: string[];
  let studyIds: string[];
  const random = lcg(23);
  const result = (studyId: string, conditions?: readonly Condition[]) =>
    predictionsOnlyResult(studyId, randomPredictions(random, { conditions, scale: [1, 0.6, 0.3], certainShare: 0.1 }));

  /** Stored rows equal the recomputation; returns how many there are. */
  async function expectTermsExact(): Promise<number> {
    const facts = await t.db.sql.query<PredictionFact>(
      `SELECT "modelSetId", "studyId", condition::text, level::text, severity::text, "labelSeverity"::text,
              "normalMild", moderate, severe, "weightedLoss" FROM "Prediction"`,
    );
    const stored = await t.db.sql.query<{
      modelSetId: string;
      studyId: string;
      masks: number[];
      losses: number[];
      spinalSevereMax: number | null;
      probabilities: Uint8Array;
    }>(
      `SELECT "modelSetId", "studyId",
              ARRAY["normalMildMask", "moderateMask", "severeMask", "labelNormalMildMask", "labelModerateMask", "labelSevereMask"] AS masks,
              ARRAY["spinalLoss", "foraminalLoss", "subarticularLoss"] AS losses, "spinalSevereMax", probabilities
       FROM "StudyMetricTerms"`,
    );
    const actual = stored.map((r) => ({ ...r, probabilities: Buffer.from(r.probabilities).toString('hex') })).sort(byPair);
    expect(actual).toEqual(expectedTerms(facts).sort(byPair));
    return actual.length;
  }

  async function externalIds(): Promise<Map<string, string>> {
    const rows = await t.db.sql.query<{ id: string; externalId: string }>(`SELECT id, "externalId" FROM "Study" ORDER BY "externalId"`);
    return new Map(rows.map((r) => [r.externalId, r.id]));
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    const [project] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'terms') RETURNING id`,
    );
    sets = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), 'a', 'ha'), (gen_random_uuid(), 'b', 'hb'), (gen_random_uuid(), 'c', 'hc') RETURNING id`,
      )
    ).map((r) => r.id);
    studyIds = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt")
         SELECT gen_random_uuid(), $1::uuid, 'terms-' || lpad(n::text, 2, '0'), now() FROM generate_series(1, 8) AS n RETURNING id`,
        [project?.id],
      )
    ).map((r) => r.id);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('follows predictions, labels, reviews and deletions', async () => {
    // Set A for half the studies (one of them with only its spinal rows), then labels, then the rest and set B.
    for (const id of studyIds.slice(0, 3)) await writeStudyResult(t.db, result(id), sets[0], null);
    await writeStudyResult(t.db, result(studyIds[3], ['SPINAL_CANAL_STENOSIS']), sets[0], null);
    expect(await expectTermsExact()).toBe(4);
    const ids = await externalIds();
    await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()]));
    await expectTermsExact();
    for (const id of studyIds.slice(4)) await writeStudyResult(t.db, result(id), sets[0], null);
    for (const id of studyIds) await writeStudyResult(t.db, result(id), sets[1], null);
    expect(await expectTermsExact()).toBe(16);
    // A rerun rewrites the probabilities; a second CSV and bulk SQL change labels; one label moves, one goes.
    await writeStudyResult(t.db, result(studyIds[0]), sets[0], null);
    await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()].slice(0, 3)));
    await t.db.sql.query(`UPDATE "Label" SET severity = 'SEVERE' WHERE level = 'L4_L5'`);
    const spinal = `condition = 'SPINAL_CANAL_STENOSIS' AND "studyId" = $1::uuid`;
    await t.db.sql.query(`DELETE FROM "Label" WHERE level = 'L1_L2' AND ${spinal}`, [studyIds[1]]);
    await t.db.sql.query(`UPDATE "Label" SET level = 'L1_L2' WHERE level = 'L2_L3' AND ${spinal}`, [studyIds[1]]);
    await expectTermsExact();
    // A review correction keeps the label (it is stored on the review mark): the terms stay as they are.
    const before = await t.db.sql.query(`SELECT * FROM "StudyMetricTerms" ORDER BY 1, 2`);
    await markReviewed(t.db, LOCAL_ADMIN, { studyId: studyIds[2], condition: 'SPINAL_CANAL_STENOSIS', level: 'L3_L4', severity: 'SEVERE' });
    expect(await t.db.sql.query(`SELECT * FROM "StudyMetricTerms" ORDER BY 1, 2`)).toEqual(before);
    // A write that changes nothing read (a member spread) leaves the rows alone; one that changes a severity does not.
    await t.db.sql.query(`UPDATE "Prediction" SET "memberSpread" = 0.1`);
    await t.db.sql.query(`UPDATE "Prediction" SET severity = 'SEVERE' WHERE level = 'L5_S1' AND "modelSetId" = $1::uuid`, [sets[1]]);
    await t.db.sql.query(`DELETE FROM "Label" WHERE condition = 'LEFT_SUBARTICULAR_STENOSIS'`);
    await t.db.sql.query(`DELETE FROM "Prediction" WHERE condition = 'RIGHT_SUBARTICULAR_STENOSIS' AND "studyId" = $1::uuid`, [
      studyIds[4],
    ]);
    expect(await expectTermsExact()).toBe(16);
    // Bulk predictions of a third set by INSERT ... SELECT, then the set deleted (its rows go by cascade).
    await t.db.sql.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
       SELECT gen_random_uuid(), s.id, c, l, 0.2, 0.3, 0.5, 'SEVERE', $1::uuid, now()
       FROM "Study" s, unnest(enum_range(NULL::"Condition")) c, unnest(enum_range(NULL::"Level")) l`,
      [sets[2]],
    );
    expect(await expectTermsExact()).toBe(24);
    await t.db.sql.query(`DELETE FROM "ModelSet" WHERE id = $1::uuid`, [sets[2]]);
    expect(await expectTermsExact()).toBe(16);
    // A study deleted with everything it has.
    await t.db.sql.query(`DELETE FROM "ReviewMark" WHERE "studyId" = $1::uuid`, [studyIds[7]]);
    await t.db.sql.query(`DELETE FROM "Study" WHERE id = $1::uuid`, [studyIds[7]]);
    expect(await expectTermsExact()).toBe(14);
    // Every prediction of a study removed: its rows go.
    await t.db.sql.query(`DELETE FROM "Prediction" WHERE "studyId" = $1::uuid`, [studyIds[6]]);
    expect(await expectTermsExact()).toBe(12);
  });

  it('two writers of the same study and set at once: the one that commits last sees the other', async () => {
    const [one, two] = [new pg.Client({ connectionString: t.url }), new pg.Client({ connectionString: t.url })];
    await Promise.all([one.connect(), two.connect()]);
    try {
      const study = studyIds[5];
      await t.db.sql.query(`DELETE FROM "Prediction" WHERE "studyId" = $1::uuid AND "modelSetId" = $2::uuid`, [study, sets[0]]);
      const insert = (condition: Condition) =>
        `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
         SELECT gen_random_uuid(), $1::uuid, '${condition}', l, 0.5, 0.3, 0.2, 'NORMAL_MILD', $2::uuid, now() FROM unnest(enum_range(NULL::"Level")) l`;
      // The cell counts' trigger serialises writers of a model set on its own; it is switched off here so the test
      // shows that the terms' own lock is enough.
      await t.db.sql.exec(`ALTER TABLE "Prediction" DISABLE TRIGGER "Prediction_count_cells_insert"`);
      await one.query('BEGIN');
      await two.query('BEGIN');
      await one.query(insert('SPINAL_CANAL_STENOSIS'), [study, sets[0]]);
      // The second writer's recompute waits for the first to commit (its pair's lock), then sees its rows.
      let secondDone = false;
      const second = two.query(insert('LEFT_NEURAL_FORAMINAL_NARROWING'), [study, sets[0]]).then(() => {
        secondDone = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(secondDone).toBe(false);
      await one.query('COMMIT');
      await second;
      await two.query('COMMIT');
      const [row] = await t.db.sql.query<{ mask: number }>(
        `SELECT "normalMildMask" AS mask FROM "StudyMetricTerms" WHERE "studyId" = $1::uuid AND "modelSetId" = $2::uuid`,
        [study, sets[0]],
      );
      expect(row?.mask).toBe(0x3ff);
      await expectTermsExact();
    } finally {
      await t.db.sql.exec(`ALTER TABLE "Prediction" ENABLE TRIGGER "Prediction_count_cells_insert"`);
      await Promise.all([one.end(), two.end()]);
    }
  });

  it('a load that bypassed triggers is repaired by StudyMetricTerms_rebuild(); TRUNCATE empties it', async () => {
    await t.db.sql.exec(`BEGIN; SET LOCAL session_replication_role = replica;
      UPDATE "Prediction" SET "normalMild" = 0.9, moderate = 0.05, severe = 0.05, severity = 'NORMAL_MILD' WHERE condition = 'SPINAL_CANAL_STENOSIS'; COMMIT;`);
    await expect(expectTermsExact()).rejects.toThrow();
    await t.db.sql.query(`SELECT "StudyMetricTerms_rebuild"()`);
    expect(await expectTermsExact()).toBe(12);
    await t.db.sql.exec(`TRUNCATE "Prediction" CASCADE`);
    expect(await expectTermsExact()).toBe(0);
  });
});
