// The RSNA 2024 metric in SQL, equal to the seed's rsna2024/utils/rsna_lumbar_metric.score (scikit-learn 1.2
// log_loss) to 1e-9 (test:parity): per core condition a sample-weighted log loss (weights 1/2/4; each probability
// clipped to [eps, 1-eps], then each triple renormalised to sum 1), plus any_severe_spinal per study (label = any
// severe spinal row; prediction = the largest RAW severe probability of the study's spinal rows, clipped, not
// renormalised; weight = the largest row weight); score = mean of the four. Edge cases: docs/evaluation.md.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { SEVERITY_WEIGHT } from '../domain/vocabulary.js';
import type { Stratifier } from '../domain/stratifiers.js';
import { citeCohort, type CohortReference } from './saved-cohorts.service.js';
import { normaliseGroupBy, perStratum, type GroupAnswer, type GroupingInfo, type SuppressionPolicy } from './strata.js';
import { SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

/** The metric's sample weights (domain/vocabulary.ts), as SQL numeric literals: constants of ours, never input. */
const WEIGHT_SQL = {
  NORMAL_MILD: SEVERITY_WEIGHT.NORMAL_MILD.toFixed(1),
  MODERATE: SEVERITY_WEIGHT.MODERATE.toFixed(1),
  SEVERE: SEVERITY_WEIGHT.SEVERE.toFixed(1),
} as const;

export interface EvaluationResult extends EvaluationScores {
  /** The saved cohort the filter named (cited), null when none. */
  readonly cohort: CohortReference | null;
  /** null without groupBy. */
  readonly grouping: GroupingInfo | null;
  readonly groups: readonly GroupAnswer<EvaluationScores>[];
}

export interface EvaluationScores {
  readonly score: number | null;
  readonly spinal: number | null;
  readonly foraminal: number | null;
  readonly subarticular: number | null;
  readonly anySevereSpinal: number | null;
  readonly studyCount: number;
  readonly rowCount: number;
  readonly modelSetId: string | null;
}

/** float64 machine epsilon: what scikit-learn's log_loss clips with. */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

export interface EvaluationArgs {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId: string | null;
  readonly groupBy?: readonly Stratifier[] | null;
  /** Required with groupBy: who may see small groups. */
  readonly policy?: SuppressionPolicy;
  /** Who asks: recorded as a citation of the saved cohort the filter names, if any. */
  readonly userId?: string | null;
}

/** The metric over the cohort, and with groupBy over each group of it that the caller may see (one query each). */
export async function evaluate(db: Database, args: EvaluationArgs): Promise<EvaluationResult> {
  if (!args.modelSetId) throw badInput('No model set is active; name one with modelSetId');
  const cohort = await citeCohort(db, { scope: args.scope, filter: args.filter, kind: 'EVALUATION', userId: args.userId ?? null });
  const overall = await scores(db, args);
  const groupBy = normaliseGroupBy(args.groupBy);
  if (!groupBy.length) return { ...overall, cohort, grouping: null, groups: [] };
  if (!args.policy) throw new Error('evaluate: groupBy needs a suppression policy');
  const grouped = await perStratum(db, args, groupBy, args.policy, (filter) => scores(db, { ...args, filter }));
  return { ...overall, cohort, ...grouped };
}

async function scores(db: Database, args: EvaluationArgs): Promise<EvaluationScores> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  const m = b.param(args.modelSetId);
  const eps = b.param(LOG_LOSS_EPS);
  const [r] = await db.sql.query<Record<string, number | string | null>>(
    `WITH f AS (SELECT s.id FROM "Study" s WHERE ${where}),
     clipped AS (
       SELECT l."studyId", l.condition, l.severity,
              CASE l.severity WHEN 'NORMAL_MILD' THEN ${WEIGHT_SQL.NORMAL_MILD} WHEN 'MODERATE' THEN ${WEIGHT_SQL.MODERATE} ELSE ${WEIGHT_SQL.SEVERE} END AS w,
              CASE WHEN l.condition = 'SPINAL_CANAL_STENOSIS' THEN 'spinal'
                   WHEN l.condition IN ('LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING') THEN 'foraminal' ELSE 'subarticular' END AS core,
              LEAST(GREATEST(p."normalMild", ${eps}), 1 - ${eps}) AS a,
              LEAST(GREATEST(p.moderate, ${eps}), 1 - ${eps}) AS b,
              LEAST(GREATEST(p.severe, ${eps}), 1 - ${eps}) AS c,
              p.severe AS severe_raw
       FROM "Label" l JOIN f ON f.id = l."studyId"
       JOIN "Prediction" p ON p."studyId" = l."studyId" AND p.condition = l.condition AND p.level = l.level AND p."modelSetId" = ${m}::uuid),
     rows AS (
       SELECT *, (CASE severity WHEN 'NORMAL_MILD' THEN a WHEN 'MODERATE' THEN b ELSE c END) / (a + b + c) AS p_true FROM clipped),
     per_core AS (SELECT core, sum(w * -ln(p_true)) / sum(w) AS loss FROM rows GROUP BY core),
     studies AS (
       SELECT "studyId", max(CASE WHEN severity = 'SEVERE' THEN 1 ELSE 0 END) AS y, max(w) AS w,
              LEAST(GREATEST(max(severe_raw), ${eps}), 1 - ${eps}) AS p
       FROM rows WHERE core = 'spinal' GROUP BY "studyId"),
     any_severe AS (SELECT sum(w * -(y * ln(p) + (1 - y) * ln(1 - p))) / sum(w) AS loss FROM studies)
     SELECT (SELECT loss FROM per_core WHERE core = 'spinal') AS spinal,
            (SELECT loss FROM per_core WHERE core = 'foraminal') AS foraminal,
            (SELECT loss FROM per_core WHERE core = 'subarticular') AS subarticular,
            (SELECT loss FROM any_severe) AS any_severe,
            (SELECT count(*)::int FROM rows) AS row_count,
            (SELECT count(DISTINCT "studyId")::int FROM rows) AS study_count`,
    b.params,
  );
  const num = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  const parts = [num(r.spinal), num(r.foraminal), num(r.subarticular), num(r.any_severe)];
  const present = parts.filter((v): v is number => v !== null);
  return {
    score: present.length ? present.reduce((a, v) => a + v, 0) / present.length : null,
    spinal: parts[0],
    foraminal: parts[1],
    subarticular: parts[2],
    anySevereSpinal: parts[3],
    studyCount: Number(r.study_count ?? 0),
    rowCount: Number(r.row_count ?? 0),
    modelSetId: args.modelSetId,
  };
}
