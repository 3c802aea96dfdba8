// Answering per group of studies (`groupBy`), with small-cell suppression: the reusable piece behind the grouped
// cohortSummary and evaluation (and any other cohort statistic). Two ways in:
//  - perStratum(): lists the groups of the filtered studies (one query), then runs the caller's computation once
//    per group it may show, with the filter narrowed to that group (StudyFilterInput.stratum), so any use case that
//    takes a StudyFilter can be grouped unchanged;
//  - groupKeySql() + suppressGroups(): for a statistic computed for all groups in one SQL query (GROUP BY the key),
//    then passed through the same suppression.
// A group smaller than the minimum (MIN_GROUP_SIZE, default 5 studies) is shown to system administrators only; to
// anyone else it is answered as suppressed (no count, no statistic), and the answer counts how many were.
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import { STRATIFIERS, UNKNOWN_STRATUM, type Stratifier } from '../domain/stratifiers.js';
import type { StratumValue, StudySelection, StudyFilterInput } from '../domain/study-filter.js';
import { SqlBuilder } from './sql-builder.js';
import { STRATUM_SQL } from './strata-sql.js';
import { studyFilterCondition } from './study-filter-sql.js';

/** Who may see small groups, and how small is small. */
export interface SuppressionPolicy {
  readonly minGroupSize: number;
  /** True: every group is shown whatever its size (system administrators). */
  readonly showSmallGroups: boolean;
}

export function suppressionPolicy(viewer: Viewer, minGroupSize: number): SuppressionPolicy {
  return { minGroupSize, showSmallGroups: viewer.isAdmin };
}

/** One group: its key (a value per stratifier of `groupBy`, in that order; null = unknown) and its size. */
export interface StratumInfo {
  readonly key: readonly StratumValue[];
  /** "F / 60-64"; "unknown" for a missing value. */
  readonly label: string;
  /** null when suppressed. */
  readonly studyCount: number | null;
  readonly suppressed: boolean;
}

export interface GroupAnswer<T> {
  readonly stratum: StratumInfo;
  /** null when suppressed. */
  readonly result: T | null;
}

export interface GroupingInfo {
  readonly groupBy: readonly Stratifier[];
  readonly minGroupSize: number;
  /** True when at least one group was withheld. */
  readonly suppressed: boolean;
  readonly suppressedGroups: number;
}

export interface Grouped<T> {
  readonly grouping: GroupingInfo;
  readonly groups: readonly GroupAnswer<T>[];
}

/** The distinct stratifiers asked for, in the order given; an empty list groups nothing. */
export function normaliseGroupBy(groupBy: readonly Stratifier[] | null | undefined): Stratifier[] {
  const out: Stratifier[] = [];
  for (const by of groupBy ?? []) {
    if (!STRATIFIERS.includes(by)) throw badInput(`Cannot group by "${String(by)}"`, { field: 'groupBy' });
    if (!out.includes(by)) out.push(by);
  }
  return out;
}

/** The group key of study `s` as a SQL text[] (NULL elements = unknown); arrays with NULLs group and compare equal. */
export function groupKeySql(groupBy: readonly Stratifier[]): string {
  return `ARRAY[${groupBy.map((by) => STRATUM_SQL[by]).join(', ')}]::text[]`;
}

/** A key as the database returns it (text[]) into stratum values. */
export function keyOf(groupBy: readonly Stratifier[], raw: readonly (string | null)[]): StratumValue[] {
  return groupBy.map((by, i) => ({ by, value: raw[i] ?? null }));
}

const labelOf = (key: readonly StratumValue[]): string => key.map((k) => k.value ?? UNKNOWN_STRATUM).join(' / ');

/** Sorted by the key's values (unknown last), so answers are stable. */
function compareKeys(a: readonly StratumValue[], b: readonly StratumValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i].value;
    const y = b[i].value;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    const nx = Number(x);
    const ny = Number(y);
    return Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x < y ? -1 : 1;
  }
  return 0;
}

/** Applies the policy to groups computed by the caller (each with its study count and statistic). */
export function suppressGroups<T>(
  groupBy: readonly Stratifier[],
  groups: readonly { readonly key: readonly StratumValue[]; readonly studyCount: number; readonly result: T }[],
  policy: SuppressionPolicy,
): Grouped<T> {
  let suppressedGroups = 0;
  const answers = [...groups]
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((g): GroupAnswer<T> => {
      const suppressed = !policy.showSmallGroups && g.studyCount < policy.minGroupSize;
      if (suppressed) suppressedGroups++;
      return {
        stratum: { key: g.key, label: labelOf(g.key), studyCount: suppressed ? null : g.studyCount, suppressed },
        result: suppressed ? null : g.result,
      };
    });
  return {
    grouping: { groupBy, minGroupSize: policy.minGroupSize, suppressed: suppressedGroups > 0, suppressedGroups },
    groups: answers,
  };
}

/** The groups of the selected studies and their sizes, in one query. */
export async function listStrata(
  db: Database,
  selection: StudySelection,
  groupBy: readonly Stratifier[],
): Promise<{ key: StratumValue[]; studyCount: number }[]> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, selection.filter, selection.scope, selection.modelSetId);
  const rows = await db.sql.query<{ key: (string | null)[]; n: number }>(
    `SELECT ${groupKeySql(groupBy)} AS key, count(*)::int AS n FROM "Study" s WHERE ${where} GROUP BY 1`,
    b.params,
  );
  return rows.map((r) => ({ key: keyOf(groupBy, r.key), studyCount: Number(r.n) }));
}

/** The narrowing of a filter to one group. */
export function withinStratum(filter: StudyFilterInput | null | undefined, key: readonly StratumValue[]): StudyFilterInput {
  return { ...(filter ?? {}), stratum: [...(filter?.stratum ?? []), ...key] };
}

/**
 * Runs `compute` once per group that the policy lets the caller see, with the selection's filter narrowed to the
 * group; suppressed groups are never computed.
 */
export async function perStratum<T>(
  db: Database,
  selection: StudySelection,
  groupBy: readonly Stratifier[],
  policy: SuppressionPolicy,
  compute: (filter: StudyFilterInput) => Promise<T>,
): Promise<Grouped<T>> {
  const strata = await listStrata(db, selection, groupBy);
  const shown = suppressGroups(
    groupBy,
    strata.map((s) => ({ ...s, result: null })),
    policy,
  );
  const groups: GroupAnswer<T>[] = [];
  for (const g of shown.groups) {
    groups.push({
      stratum: g.stratum,
      result: g.stratum.suppressed ? null : await compute(withinStratum(selection.filter, g.stratum.key)),
    });
  }
  return { grouping: shown.grouping, groups };
}
