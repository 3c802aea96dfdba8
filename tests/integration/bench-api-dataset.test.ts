// The API benchmark's generated database, checked independently of the generator's own SQL checks: row counts,
// probabilities, argmax, prevalence, agreement with the labels, and reproducibility by seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiDataset, type ApiDataset } from '../../bench/support/api-dataset.js';
import { createBenchDatabase, type BenchDatabase } from '../../bench/support/bench-database.js';
import { CONDITION_INFO, CONDITIONS, LEVELS, SEVERITIES, severityArgmax } from '../../src/domain/vocabulary.js';
import { PREVALENCE } from '../../src/synth/index.js';

const STUDIES = 300;
let bench: BenchDatabase;
let twin: BenchDatabase;
let dataset: ApiDataset;

beforeAll(async () => {
  [bench, twin] = await Promise.all([createBenchDatabase('test'), createBenchDatabase('test')]);
  dataset = await generateApiDataset(bench.url, { studies: STUDIES, seed: 0.5, agreement: 0.7 });
  await generateApiDataset(twin.url, { studies: STUDIES, seed: 0.5, agreement: 0.7 });
});

afterAll(async () => {
  await Promise.all([bench?.drop(), twin?.drop()]);
});

interface PredictionRow extends Record<string, unknown> {
  externalId: string;
  condition: string;
  level: string;
  normalMild: number;
  moderate: number;
  severe: number;
  severity: string;
  label: string;
}

const joined = (b: BenchDatabase): Promise<PredictionRow[]> =>
  b.db.sql.query<PredictionRow>(
    `SELECT s."externalId", p.condition::text, p.level::text, p."normalMild", p.moderate, p.severe, p.severity::text, l.severity::text AS label
     FROM "Prediction" p JOIN "Study" s ON s.id = p."studyId" JOIN "Label" l ON l."studyId" = p."studyId" AND l.condition = p.condition AND l.level = p.level
     ORDER BY 1, 2, 3`,
  );

describe('generateApiDataset', () => {
  it('fills the stratifiers like an import: age bands 20-24 to 90+, both sexes, five vendors, 1.5 and 3 T; 2 % unknown', async () => {
    const [r] = await bench.db.sql.query<{ bands: string[]; sexes: string[]; vendors: number; tesla: number[]; unknown: number }>(
      `SELECT array_agg(DISTINCT "ageBand" ORDER BY "ageBand") FILTER (WHERE "ageBand" IS NOT NULL) AS bands,
              array_agg(DISTINCT sex ORDER BY sex) FILTER (WHERE sex IS NOT NULL) AS sexes,
              count(DISTINCT manufacturer)::int AS vendors,
              array_agg(DISTINCT "fieldStrength" ORDER BY "fieldStrength") FILTER (WHERE "fieldStrength" IS NOT NULL) AS tesla,
              count(*) FILTER (WHERE "ageBand" IS NULL AND sex IS NULL AND manufacturer IS NULL)::int AS unknown
       FROM "Study"`,
    );
    expect(r.bands).toEqual([
      '20-24',
      '25-29',
      '30-34',
      '35-39',
      '40-44',
      '45-49',
      '50-54',
      '55-59',
      '60-64',
      '65-69',
      '70-74',
      '75-79',
      '80-84',
      '85-89',
      '90+',
    ]);
    expect(r).toMatchObject({ sexes: ['F', 'M'], vendors: 5, tesla: [1.5, 3], unknown: STUDIES / 50 });
  });

  it('writes N studies with 3 series, 25 labels and 25 predictions each, one active model set', async () => {
    expect(dataset).toMatchObject({ studies: STUDIES, series: 3 * STUDIES, labels: 25 * STUDIES, predictions: 25 * STUDIES });
    const [counts] = await bench.db.sql.query<{ studies: number; cells: number; active: number }>(
      `SELECT (SELECT count(*)::int FROM "Study") AS studies,
              (SELECT count(DISTINCT ("studyId", condition, level))::int FROM "Prediction") AS cells,
              (SELECT count(*)::int FROM "ModelSet" WHERE "isActive") AS active`,
    );
    expect(counts).toEqual({ studies: STUDIES, cells: 25 * STUDIES, active: 1 });
  });

  it('leaves the maintained cohort cell counts equal to the rows (its bulk load bypasses their triggers)', async () => {
    const cells = (table: string, source: string) =>
      bench.db.sql
        .query(
          `SELECT condition::text, level::text, severity::text, sum(count)::int AS n FROM "${table}" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        )
        .then(async (kept) => ({
          kept,
          counted: await bench.db.sql.query(
            `SELECT condition::text, level::text, severity::text, count(*)::int AS n FROM "${source}" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
          ),
        }));
    for (const [table, source] of [
      ['PredictionCellCount', 'Prediction'],
      ['LabelCellCount', 'Label'],
    ]) {
      const { kept, counted } = await cells(table as string, source as string);
      expect(kept).toEqual(counted);
      expect(kept.length).toBeGreaterThan(60);
    }
  });

  it('leaves one StudyMetricTerms row per study with all 25 cells predicted and labelled (rebuilt after the load)', async () => {
    const all = 2 ** 25 - 1;
    const [terms] = await bench.db.sql.query<{ n: number; full: number }>(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE "normalMildMask" | "moderateMask" | "severeMask" = ${all}
                                 AND "labelNormalMildMask" | "labelModerateMask" | "labelSevereMask" = ${all})::int AS full
       FROM "StudyMetricTerms"`,
    );
    expect(terms).toEqual({ n: STUDIES, full: STUDIES });
  });

  it('stores probabilities that sum to 1, with severity their argmax', async () => {
    const rows = await joined(bench);
    expect(rows).toHaveLength(25 * STUDIES);
    for (const r of rows) {
      expect(Math.min(r.normalMild, r.moderate, r.severe)).toBeGreaterThanOrEqual(0);
      expect(r.normalMild + r.moderate + r.severe).toBeCloseTo(1, 9);
      expect(r.severity).toBe(severityArgmax([r.normalMild, r.moderate, r.severe]));
    }
  });

  it('draws labels at the RSNA prevalence and predictions that mostly agree with them', async () => {
    const rows = await joined(bench);
    const expectedNormal =
      CONDITIONS.flatMap((c) => LEVELS.map((_, i) => PREVALENCE[CONDITION_INFO[c].core][i][0])).reduce((s, p) => s + p, 0) / 25;
    const normal = rows.filter((r) => r.label === 'NORMAL_MILD').length / rows.length;
    expect(Math.abs(normal - expectedNormal)).toBeLessThan(0.03); // 7,500 draws: the standard error is about 0.005
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(SEVERITIES));
    const agree = rows.filter((r) => r.severity === r.label).length / rows.length;
    expect(agree).toBeGreaterThan(0.6);
    expect(agree).toBeLessThan(0.95);
  });

  it('is reproducible by seed', async () => {
    const strip = (rs: PredictionRow[]): string[] =>
      rs.map((r) => `${r.externalId}|${r.condition}|${r.level}|${r.label}|${r.severity}|${r.severe.toFixed(12)}`);
    expect(strip(await joined(twin))).toEqual(strip(await joined(bench)));
  });
});
