// A grouped service answer (services/strata.ts) into the GraphQL Stratum and Grouping types: a missing value reads
// "unknown". One mapper for every grouped query; `result` maps each group's statistic.
import { UNKNOWN_STRATUM } from '../domain/stratifiers.js';
import type { GroupAnswer, GroupingInfo, StratumInfo } from '../services/strata.js';
import type { Grouping, Stratum } from '../schema/strata.type.js';

export function toStratum(s: StratumInfo): Stratum {
  return {
    key: s.key.map((k) => ({ by: k.by, value: k.value ?? UNKNOWN_STRATUM })),
    label: s.label,
    studyCount: s.studyCount,
    suppressed: s.suppressed,
  };
}

export function toGrouping(g: GroupingInfo | null): Grouping | null {
  return g && { groupBy: [...g.groupBy], minGroupSize: g.minGroupSize, suppressed: g.suppressed, suppressedGroups: g.suppressedGroups };
}

/** Each group as the caller's GraphQL group type, from its Stratum and its statistic (null when suppressed). */
export function mapGroups<T, R>(groups: readonly GroupAnswer<T>[], build: (stratum: Stratum, result: T | null) => R): R[] {
  return groups.map((g) => build(toStratum(g.stratum), g.result));
}
