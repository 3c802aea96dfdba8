// What a field costs in the complexity budget beyond the rows it returns. Most fields cost 1; a field that
// aggregates over a whole cohort in SQL (`evaluation` reads every labelled study's predictions, `cohortSummary`
// counts cells) costs what such a read costs relative to a row: priced here so that aliasing it many times, or
// asking for it beside a large page, runs out of budget. A new aggregate (an `agreement`-style field) declares its
// cost either here or on its own definition: `@Extensions({ complexity: 500 })` (read from field.extensions).
import type { GraphQLField, GraphQLNamedType } from 'graphql';

export const AGGREGATE_FIELD_COSTS: Readonly<Record<string, number>> = {
  'Query.evaluation': 1000,
  'Query.cohortSummary': 500,
  // Reads every labelled study's predictions and labels, as evaluation does.
  'Query.agreement': 1000,
  // Reads two model sets' predictions over the cohort and resamples them (paired bootstrap, up to 10,000 draws).
  'Query.compareModelSets': 2000,
};

/** The cost of one execution of `field` on `parent`, before what it returns is counted. */
export function fieldCost(parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>): number {
  const declared = (field.extensions as { complexity?: unknown } | undefined)?.complexity;
  if (typeof declared === 'number' && Number.isFinite(declared) && declared >= 0) return declared;
  return AGGREGATE_FIELD_COSTS[`${parent.name}.${field.name}`] ?? 1;
}
