// cohortSummary(source: PREDICTED, groupBy) counts each group's predictions from the per-study severity masks of
// StudyMetricTerms: per group and cell it must equal the Prediction rows counted directly, with studies that have all,
// some or none of their rows predicted, another model set's rows beside them, unknown strata and a filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN } from '../../src/auth/viewer.js';
import type { StudyFilterInput } from '../../src/domain/study-filter.js';
import { CONDITIONS, type Condition } from '../../src/domain/vocabulary.js';
import { cohortSummary } from '../../src/services/cohort.service.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { lcg, predictionsOnlyResult, randomPredictions } from '../support/random-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('cohortSummary(source: PREDICTED, groupBy)', () => {
  let t: TestDatabase;
  let sets: string[];
  const random = lcg(9);
  const result = (studyId: string, conditions: readonly Condition[]) =>
    predictionsOnlyResult(studyId, randomPredictions(random, { conditions }));

  beforeAll(async () => {
    t = await createTestDatabase();
    const [project] = await t.db.sql.query<{ id: string }>(
      `INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'grouped') RETURNING id`,
    );
    sets = (
      await t.db.sql.query<{ id: string }>(
        `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), 'a', 'ha'), (gen_random_uuid(), 'b', 'hb') RETURNING id`,
      )
    ).map((r) => r.id);
    const studies = await t.db.sql.query<{ id: string }>(
      `INSERT INTO "Study" (id, "projectId", "externalId", "ageBand", sex, "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'g-' || n, (ARRAY['60-64', '65-69', NULL])[1 + n % 3], (ARRAY['F', 'M', NULL, 'F'])[1 + n % 4], now()
       FROM generate_series(1, 14) AS n RETURNING id`,
      [project?.id],
    );
    for (const [i, s] of studies.entries()) {
      const conditions = i % 5 === 0 ? [] : i % 5 === 1 ? CONDITIONS.slice(0, 2) : CONDITIONS;
      if (conditions.length) await writeStudyResult(t.db, result(s.id, conditions), sets[0], null);
      await writeStudyResult(t.db, result(s.id, CONDITIONS), sets[1], null);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  const filters: (StudyFilterInput | null)[] = [null, { sexes: ['F', 'UNKNOWN'] }];
  for (const filter of filters) {
    it(`equals the predictions counted per group and cell (filter: ${JSON.stringify(filter)})`, async () => {
      const summary = await cohortSummary(t.db, {
        scope: LOCAL_ADMIN.scope,
        filter,
        modelSetId: sets[0],
        source: 'PREDICTED',
        groupBy: ['AGE_BAND', 'SEX'],
        policy: { minGroupSize: 1, showSmallGroups: true },
      });
      const sexes = filter ? `AND (s.sex = 'F' OR s.sex IS NULL)` : '';
      const counted = await t.db.sql.query<{ label: string; cell: string; n: number }>(
        `SELECT coalesce(s."ageBand", 'unknown') || ' / ' || coalesce(s.sex, 'unknown') AS label,
                p.condition || '|' || p.level || '|' || p.severity AS cell, count(*)::int AS n
         FROM "Prediction" p JOIN "Study" s ON s.id = p."studyId" WHERE p."modelSetId" = $1::uuid ${sexes} GROUP BY 1, 2`,
        [sets[0]],
      );
      const studies = await t.db.sql.query<{ label: string; n: number }>(
        `SELECT coalesce(s."ageBand", 'unknown') || ' / ' || coalesce(s.sex, 'unknown') AS label, count(*)::int AS n
         FROM "Study" s WHERE TRUE ${sexes} GROUP BY 1`,
      );
      const expected = new Map(counted.map((c) => [`${c.label}|${c.cell}`, c.n]));
      expect(summary.groups.map((g) => [g.stratum.label, g.stratum.studyCount]).sort()).toEqual(studies.map((s) => [s.label, s.n]).sort());
      let nonZero = 0;
      for (const g of summary.groups) {
        for (const c of g.result ?? []) {
          expect(c.count, `${g.stratum.label} ${c.condition} ${c.level} ${c.severity}`).toBe(
            expected.get(`${g.stratum.label}|${c.condition}|${c.level}|${c.severity}`) ?? 0,
          );
          if (c.count) nonZero++;
        }
      }
      expect(nonZero).toBe(counted.length);
    });
  }
});
