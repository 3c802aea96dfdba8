import type { CohortSummaryResult } from '../services/cohort.service.js';
import type { EvaluationResult } from '../services/evaluation.service.js';
import type { CohortSummary, Evaluation } from '../schema/cohort.type.js';
import { mapGroups, toGrouping } from './strata.mapper.js';

export function toCohortSummary(r: CohortSummaryResult): CohortSummary {
  return {
    studyCount: r.studyCount,
    source: r.source,
    modelSetId: r.modelSetId,
    cells: r.cells,
    cohort: r.cohort,
    grouping: toGrouping(r.grouping),
    groups: mapGroups(r.groups, (stratum, cells) => ({ stratum, cells: cells ?? [] })),
  };
}

export function toEvaluation(r: EvaluationResult): Evaluation {
  return { ...r, grouping: toGrouping(r.grouping), groups: mapGroups(r.groups, (stratum, scores) => ({ stratum, scores })) };
}
