import type { Sex, Stratifier } from './stratifiers.js';
import type { Condition, Level, SeriesType, Severity } from './vocabulary.js';

export interface SeverityCriterionInput {
  readonly condition: Condition;
  readonly level?: Level | null;
  readonly atLeast: Severity;
  readonly minProbability?: number | null;
}

/** What a researcher asks for; every given field must match. */
export interface StudyFilterInput {
  readonly ids?: readonly string[] | null;
  readonly externalIds?: readonly string[] | null;
  readonly projectId?: string | null;
  readonly labelled?: boolean | null;
  readonly hasSeriesTypes?: readonly SeriesType[] | null;
  readonly predicted?: readonly SeverityCriterionInput[] | null;
  readonly labels?: readonly SeverityCriterionInput[] | null;
  /** Stratifiers (any of the listed values; "unknown" selects studies without the attribute). */
  readonly sexes?: readonly (Sex | 'UNKNOWN')[] | null;
  readonly ageBands?: readonly string[] | null;
  readonly manufacturers?: readonly string[] | null;
  readonly fieldStrengths?: readonly number[] | null;
  readonly sliceThicknessMin?: number | null;
  readonly sliceThicknessMax?: number | null;
  /** A saved cohort's frozen study ids: its latest version, or `cohortVersion`. */
  readonly cohortId?: string | null;
  readonly cohortVersion?: number | null;
  /** Internal: one group of a `groupBy` (services/strata.ts); never read from the API. */
  readonly stratum?: readonly StratumValue[] | null;
}

/** One stratifier's value in a group; null is the group "unknown". */
export interface StratumValue {
  readonly by: Stratifier;
  readonly value: string | null;
}

/** The projects a caller may see: every project, or these. Enforced inside the SQL of every study query. */
export type ProjectScope = { readonly kind: 'all' } | { readonly kind: 'projects'; readonly projectIds: readonly string[] };

/** Which studies: the caller's scope, the filter, and the model set its `predicted` criteria read. */
export interface StudySelection {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId: string | null;
}
