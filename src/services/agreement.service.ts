// agreement: how a model set's argmax and probabilities agree with the labels of the filtered cohort, per condition
// and level and pooled per condition. The labelled rows that have a prediction come from one SQL statement, packed
// as float64s per (condition, level); every statistic is computed by the pure functions of analytics/.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { Stratifier } from '../domain/stratifiers.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { CONDITIONS, LEVELS, type Condition, type Level } from '../domain/vocabulary.js';
import { agreementStats, type AgreementStats, type SeverityRows } from './analytics/agreement-stats.js';
import { float64sOf, labelClassSql } from './analytics/metric-sql.js';
import { citeCohort, type CohortReference } from './saved-cohorts.service.js';
import { normaliseGroupBy, perStratum, type GroupAnswer, type GroupingInfo, type SuppressionPolicy } from './strata.js';
import { SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export interface AgreementGroup extends AgreementStats {
  readonly condition: Condition;
  /** Null for the condition pooled over its five levels. */
  readonly level: Level | null;
}

export interface AgreementCore {
  readonly modelSetId: string;
  readonly studyCount: number;
  readonly rowCount: number;
  /** Per condition: its five levels in order, then the pooled group. */
  readonly groups: readonly AgreementGroup[];
}

export interface AgreementResult extends AgreementCore {
  /** The saved cohort the filter named (cited as an evaluation), null when none. */
  readonly cohort: CohortReference | null;
  /** null without groupBy. */
  readonly grouping: GroupingInfo | null;
  /** With groupBy: the same statistics per stratum (result null when suppressed). */
  readonly strata: readonly GroupAnswer<AgreementCore>[];
}

export interface AgreementArgs {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId: string | null;
  readonly groupBy?: readonly Stratifier[] | null;
  /** Required with groupBy: who may see small groups. */
  readonly policy?: SuppressionPolicy;
  /** Who asks: recorded as a citation of the saved cohort the filter names, if any. */
  readonly userId?: string | null;
}

/** Agreement over the cohort, and with groupBy over each stratum the caller may see (services/strata.ts). */
export async function agreement(db: Database, args: AgreementArgs): Promise<AgreementResult> {
  if (!args.modelSetId) throw badInput('No model set is active; name one with modelSetId');
  const cohort = await citeCohort(db, { scope: args.scope, filter: args.filter, kind: 'EVALUATION', userId: args.userId ?? null });
  const overall = await agreementOf(db, args);
  const groupBy = normaliseGroupBy(args.groupBy);
  if (!groupBy.length) return { ...overall, cohort, grouping: null, strata: [] };
  if (!args.policy) throw new Error('agreement: groupBy needs a suppression policy');
  const grouped = await perStratum(db, args, groupBy, args.policy, (filter) => agreementOf(db, { ...args, filter }));
  return { ...overall, cohort, grouping: grouped.grouping, strata: grouped.groups };
}

async function agreementOf(db: Database, args: AgreementArgs): Promise<AgreementCore> {
  if (!args.modelSetId) throw badInput('No model set is active; name one with modelSetId');
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  const m = b.param(args.modelSetId);
  // The rows come from Prediction alone (its copy of the label, "labelSeverity"): an index-only scan of the set's
  // rows, no join to Label.
  const labelledRows = `FROM "Prediction" p WHERE p."modelSetId" = ${m}::uuid AND p."labelSeverity" IS NOT NULL
       AND p."studyId" IN (SELECT s.id FROM "Study" s WHERE ${where})`;
  const [cells, [counts]] = await Promise.all([
    db.sql.query<{ condition: Condition; level: Level; packed: Uint8Array }>(
      `SELECT p.condition::text AS condition, p.level::text AS level,
              string_agg(float8send(${labelClassSql('p')}::float8) || float8send(p."normalMild") || float8send(p.moderate) || float8send(p.severe), ''::bytea) AS packed
       ${labelledRows}
       GROUP BY p.condition, p.level`,
      b.params,
    ),
    db.sql.query<{ studies: number }>(`SELECT count(DISTINCT p."studyId")::int AS studies ${labelledRows}`, b.params),
  ]);
  const packedOf = new Map(cells.map((c) => [`${c.condition}|${c.level}`, float64sOf(c.packed)]));
  const groups: AgreementGroup[] = [];
  let rowCount = 0;
  for (const condition of CONDITIONS) {
    const parts = LEVELS.map((level) => packedOf.get(`${condition}|${level}`) ?? new Float64Array(0));
    LEVELS.forEach((level, i) => groups.push({ condition, level, ...agreementStats(rowsOf([parts[i]])) }));
    const pooled = agreementStats(rowsOf(parts));
    groups.push({ condition, level: null, ...pooled });
    rowCount += pooled.rows;
  }
  return { modelSetId: args.modelSetId, studyCount: counts.studies, rowCount, groups };
}

/** Packed (label, p0, p1, p2) quadruples of one or more cells as one set of rows. */
function rowsOf(packed: readonly Float64Array[]): SeverityRows {
  const n = packed.reduce((sum, p) => sum + p.length / 4, 0);
  const rows = { labels: new Uint8Array(n), p0: new Float64Array(n), p1: new Float64Array(n), p2: new Float64Array(n) };
  let i = 0;
  for (const p of packed) {
    for (let o = 0; o < p.length; o += 4, i++) {
      rows.labels[i] = p[o];
      rows.p0[i] = p[o + 1];
      rows.p1[i] = p[o + 2];
      rows.p2[i] = p[o + 3];
    }
  }
  return rows;
}
