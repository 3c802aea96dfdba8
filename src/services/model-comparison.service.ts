// compareModelSets: the RSNA metric of two model sets on the same labelled rows, with a paired bootstrap interval
// of the difference. Only rows that both sets predicted count (a paired comparison), so each set's score here
// equals evaluation() when both sets cover the same rows. Per-study loss sums come from one SQL statement over the
// per-study rows of StudyMetricTerms (the rows' stored metric terms, summed by triggers); the resampling runs in
// TypeScript (analytics/paired-bootstrap.ts).
import { randomInt } from 'node:crypto';
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { coreSql, float64sOf, labelWeightSql } from './analytics/metric-sql.js';
import { pairedBootstrap, type PartComparison, type StudyContributions } from './analytics/paired-bootstrap.js';
import { LOG_LOSS_EPS } from './evaluation.service.js';
import { citeCohort, type CohortReference } from './saved-cohorts.service.js';
import { inStudies, SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export const MAX_RESAMPLES = 10_000;
export const CONFIDENCE_LEVEL = 0.95;

export interface ModelSetComparison {
  readonly modelSetA: string;
  readonly modelSetB: string;
  readonly studyCount: number;
  readonly rowCount: number;
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  readonly parts: readonly PartComparison[];
  /** The saved cohort the filter named (cited as an evaluation), null when none. */
  readonly cohort: CohortReference | null;
}

export interface CompareArgs {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly a: string;
  readonly b: string;
  readonly resamples: number;
  readonly seed?: number | null;
  /** Who asks: recorded as a citation of the saved cohort the filter names, if any. */
  readonly userId?: string | null;
}

export async function compareModelSets(db: Database, args: CompareArgs): Promise<ModelSetComparison> {
  if (!Number.isInteger(args.resamples) || args.resamples < 1 || args.resamples > MAX_RESAMPLES) {
    throw badInput(`bootstrap must be an integer from 1 to ${MAX_RESAMPLES}, got ${args.resamples}`, { field: 'bootstrap' });
  }
  // No seed given: draw one and answer with it, so the interval can still be reproduced.
  const seed = args.seed ?? randomInt(0, 2 ** 31 - 1);
  const cohort = await citeCohort(db, { scope: args.scope, filter: args.filter, kind: 'EVALUATION', userId: args.userId ?? null });
  const data = await studyContributions(db, args);
  return {
    modelSetA: args.a,
    modelSetB: args.b,
    studyCount: data.studies,
    rowCount: data.rows,
    resamples: args.resamples,
    seed,
    level: CONFIDENCE_LEVEL,
    parts: pairedBootstrap(data, { resamples: args.resamples, seed, level: CONFIDENCE_LEVEL }),
    cohort,
  };
}

/** Bits of the metric parts' cells in StudyMetricTerms' masks (cell = condition x 5 + level, in the enums' order). */
export const PART_CELL_BITS = { spinal: 0x1f, foraminal: 0x7fe0, subarticular: 0x1ff8000 } as const;

/**
 * Per study, in the order of METRIC_PARTS: A's and B's sums of w x loss and the sum of w. The any-severe-spinal
 * part is one term per study with spinal rows (label: any severe; prediction: the largest raw severe probability,
 * clipped; weight: the largest row weight), as in evaluation.service.ts. Only rows both sets predicted count.
 *
 * The per-study sums are read from StudyMetricTerms (one row per model set and study, kept by triggers): where A's
 * and B's labelled cells are the same, the pairs are exactly those cells, so A's and B's stored loss sums are the
 * paired sums, and the weights and the any-severe-spinal label follow from the label masks (w = 1, 2, 4 per class).
 * Where the cells differ (a set that predicted only some rows of a study), that study alone is summed from its
 * Prediction rows as before. Packed as float64s in study id order (the order the bootstrap's draws index).
 */
async function studyContributions(db: Database, args: CompareArgs): Promise<StudyContributions & { rows: number }> {
  const b = new SqlBuilder();
  // `predicted` criteria of the filter read model set A.
  const where = studyFilterCondition(b, args.filter, args.scope, args.a);
  const ma = b.param(args.a);
  const mb = b.param(args.b);
  const eps = b.param(LOG_LOSS_EPS);
  const clip = (v: string): string => `LEAST(GREATEST(${v}, ${eps}), 1 - ${eps})`;
  const part = (core: string, col: string): string => `coalesce(sum(${col}) FILTER (WHERE core = '${core}'), 0)`;
  const anyLoss = (p: string): string => `CASE WHEN y = 1 THEN -ln(${p}) ELSE -ln(1 - ${p}) END`;
  const bits = (mask: string, part: keyof typeof PART_CELL_BITS): string => `bit_count(int4send(${mask} & ${PART_CELL_BITS[part]}))`;
  const weightSum = (part: keyof typeof PART_CELL_BITS): string =>
    `(${bits('t.l0', part)} + 2 * ${bits('t.l1', part)} + 4 * ${bits('t.l2', part)})::float8`;
  const spinal = PART_CELL_BITS.spinal;
  const [r] = await db.sql.query<{ studies: number; rows: number; packed: Uint8Array | null }>(
    `WITH t AS MATERIALIZED (
       SELECT ta."studyId", ta."labelNormalMildMask" AS l0, ta."labelModerateMask" AS l1, ta."labelSevereMask" AS l2,
              (ta."labelNormalMildMask", ta."labelModerateMask", ta."labelSevereMask") = (tb."labelNormalMildMask", tb."labelModerateMask", tb."labelSevereMask") AS same,
              ta."spinalLoss" AS a0, ta."foraminalLoss" AS a1, ta."subarticularLoss" AS a2, ta."spinalSevereMax" AS sa,
              tb."spinalLoss" AS b0, tb."foraminalLoss" AS b1, tb."subarticularLoss" AS b2, tb."spinalSevereMax" AS sb
       FROM "StudyMetricTerms" ta
       JOIN "StudyMetricTerms" tb ON tb."modelSetId" = ${mb}::uuid AND tb."studyId" = ta."studyId"
       WHERE ta."modelSetId" = ${ma}::uuid AND (ta."labelNormalMildMask" | ta."labelModerateMask" | ta."labelSevereMask") <> 0
         ${inStudies('ta', where)}),
     rows AS (
       SELECT pa."studyId", ${coreSql('pa')} AS core, ${labelWeightSql('pa')} AS w, (pa."labelSeverity" = 'SEVERE')::int AS y,
              pa."weightedLoss" AS la, pb."weightedLoss" AS lb, pa.severe AS sa, pb.severe AS sb
       FROM "Prediction" pa
       JOIN "Prediction" pb ON pb."modelSetId" = ${mb}::uuid AND pb."studyId" = pa."studyId" AND pb.condition = pa.condition AND pb.level = pa.level
       WHERE pa."modelSetId" = ${ma}::uuid AND pa."labelSeverity" IS NOT NULL
         AND pa."studyId" = ANY(ARRAY(SELECT t."studyId" FROM t WHERE NOT t.same))),
     per_study AS (
       SELECT "studyId", count(*) AS n,
              ${part('spinal', 'la')} AS a0, ${part('foraminal', 'la')} AS a1, ${part('subarticular', 'la')} AS a2,
              ${part('spinal', 'lb')} AS b0, ${part('foraminal', 'lb')} AS b1, ${part('subarticular', 'lb')} AS b2,
              ${part('spinal', 'w')} AS w0, ${part('foraminal', 'w')} AS w1, ${part('subarticular', 'w')} AS w2,
              max(y) FILTER (WHERE core = 'spinal') AS y, max(w) FILTER (WHERE core = 'spinal') AS w3,
              ${clip("max(sa) FILTER (WHERE core = 'spinal')")} AS pa3, ${clip("max(sb) FILTER (WHERE core = 'spinal')")} AS pb3
       FROM rows GROUP BY "studyId"
       UNION ALL
       SELECT t."studyId", bit_count(int4send(t.l0 | t.l1 | t.l2)) AS n, t.a0, t.a1, t.a2, t.b0, t.b1, t.b2,
              ${weightSum('spinal')} AS w0, ${weightSum('foraminal')} AS w1, ${weightSum('subarticular')} AS w2,
              CASE WHEN (t.l0 | t.l1 | t.l2) & ${spinal} <> 0 THEN ((t.l2 & ${spinal}) <> 0)::int END AS y,
              CASE WHEN t.l2 & ${spinal} <> 0 THEN 4.0::float8 WHEN t.l1 & ${spinal} <> 0 THEN 2.0::float8 WHEN t.l0 & ${spinal} <> 0 THEN 1.0::float8 END AS w3,
              ${clip('t.sa')} AS pa3, ${clip('t.sb')} AS pb3
       FROM t WHERE t.same),
     terms AS (
       SELECT *, coalesce(w3 * ${anyLoss('pa3')}, 0) AS a3, coalesce(w3 * ${anyLoss('pb3')}, 0) AS b3 FROM per_study)
     SELECT count(*)::int AS studies, coalesce(sum(n), 0)::int AS rows,
            string_agg(float8send(a0) || float8send(a1) || float8send(a2) || float8send(a3)
                    || float8send(b0) || float8send(b1) || float8send(b2) || float8send(b3)
                    || float8send(w0) || float8send(w1) || float8send(w2) || float8send(coalesce(w3, 0)), ''::bytea ORDER BY "studyId") AS packed
     FROM terms`,
    b.params,
  );
  return unpack(r.studies, r.rows, r.packed);
}

/** 12 float64 per study (A's four, B's four, the weights' four) into the three strided arrays. */
function unpack(studies: number, rows: number, packed: Uint8Array | null): StudyContributions & { rows: number } {
  const all = packed ? float64sOf(packed) : new Float64Array(0);
  const lossA = new Float64Array(studies * 4);
  const lossB = new Float64Array(studies * 4);
  const weight = new Float64Array(studies * 4);
  for (let s = 0; s < studies; s++) {
    for (let k = 0; k < 4; k++) {
      lossA[s * 4 + k] = all[s * 12 + k];
      lossB[s * 4 + k] = all[s * 12 + 4 + k];
      weight[s * 4 + k] = all[s * 12 + 8 + k];
    }
  }
  return { studies, rows, lossA, lossB, weight };
}
