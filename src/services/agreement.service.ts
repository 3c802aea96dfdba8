// agreement: how a model set's argmax and probabilities agree with the labels of the filtered cohort, per condition
// and level and pooled per condition. The labelled rows that have a prediction come from one SQL statement over the
// per-study rows of StudyMetricTerms (kept by triggers on Prediction), packed; every statistic is computed by the
// pure functions of analytics/.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { Stratifier } from '../domain/stratifiers.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { CONDITIONS, LEVELS, type Condition, type Level } from '../domain/vocabulary.js';
import { agreementOfLevels, type AgreementStats, type SeverityRows } from './analytics/agreement-stats.js';
import { citeCohort, type CohortReference } from './saved-cohorts.service.js';
import { normaliseGroupBy, perStratum, type GroupAnswer, type GroupingInfo, type SuppressionPolicy } from './strata.js';
import { inStudies, SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

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
  // One row per study of the set that has labelled predictions (StudyMetricTerms, kept by triggers on Prediction):
  // which cells are labelled, with which class, and those cells' three probabilities, unpacked in studyCells().
  // Base64 text, one row per study: a single aggregated value of 12 MB (string_agg) takes pg several times longer to
  // receive than the same bytes in 20,000 rows, and base64 is 1.5 times smaller than bytea's hex output.
  const rows = await db.sql.query<{ packed: string }>(
    `SELECT encode(int4send(t."labelNormalMildMask") || int4send(t."labelModerateMask") || int4send(t."labelSevereMask") || t.probabilities, 'base64') AS packed
     FROM "StudyMetricTerms" t
     WHERE t."modelSetId" = ${m}::uuid AND (t."labelNormalMildMask" | t."labelModerateMask" | t."labelSevereMask") <> 0
       ${inStudies('t', where)}`,
    b.params,
  );
  const cells = studyCells(rows.map((r) => Buffer.from(r.packed, 'base64')));
  const groups: AgreementGroup[] = [];
  let rowCount = 0;
  CONDITIONS.forEach((condition, c) => {
    // The levels and their pool in one pass (agreementOfLevels: the pool equals the levels' rows concatenated).
    const { levels, pooled } = agreementOfLevels(LEVELS.map((_, l) => cells[c * LEVELS.length + l]));
    LEVELS.forEach((level, i) => groups.push({ condition, level, ...levels[i] }));
    groups.push({ condition, level: null, ...pooled });
    rowCount += pooled.rows;
  });
  return { modelSetId: args.modelSetId, studyCount: rows.length, rowCount, groups };
}

const CELLS = CONDITIONS.length * LEVELS.length;

/**
 * Per study: three int32 masks (the labelled cells whose label is class 0, 1, 2; bit = condition x 5 + level), then
 * three big-endian float64 probabilities per labelled cell in cell order. Into one set of rows per cell.
 */
export function studyCells(studies: readonly Uint8Array[]): SeverityRows[] {
  const views = studies.map((s) => new DataView(s.buffer, s.byteOffset, s.byteLength));
  const sizes = new Int32Array(CELLS);
  for (const view of views) {
    const labelled = view.getInt32(0) | view.getInt32(4) | view.getInt32(8);
    for (let cell = 0; cell < CELLS; cell++) if (labelled & (1 << cell)) sizes[cell]++;
  }
  const rows = Array.from(sizes, (n) => ({
    labels: new Uint8Array(n),
    p0: new Float64Array(n),
    p1: new Float64Array(n),
    p2: new Float64Array(n),
  }));
  const next = new Int32Array(CELLS);
  for (const view of views) {
    const masks = [view.getInt32(0), view.getInt32(4), view.getInt32(8)];
    let o = 12;
    for (let cell = 0; cell < CELLS; cell++) {
      const bit = 1 << cell;
      const label = masks[0] & bit ? 0 : masks[1] & bit ? 1 : masks[2] & bit ? 2 : -1;
      if (label < 0) continue;
      const r = rows[cell];
      const i = next[cell]++;
      r.labels[i] = label;
      r.p0[i] = view.getFloat64(o);
      r.p1[i] = view.getFloat64(o + 8);
      r.p2[i] = view.getFloat64(o + 16);
      o += 24;
    }
  }
  return rows;
}
