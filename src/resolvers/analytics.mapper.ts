// Service results of the analytics use cases as their GraphQL types.
import { SEVERITIES } from '../domain/vocabulary.js';
import type { AgreementCore, AgreementResult } from '../services/agreement.service.js';
import type { PartComparison } from '../services/analytics/paired-bootstrap.js';
import type { ModelSetComparison as ComparisonResult } from '../services/model-comparison.service.js';
import {
  type Agreement,
  type AgreementGroup,
  type MetricPartComparison,
  MetricPartEnum,
  type ModelSetComparison,
} from '../schema/analytics.type.js';

import { mapGroups, toGrouping } from './strata.mapper.js';

const PART: Readonly<Record<PartComparison['part'], MetricPartEnum>> = {
  overall: MetricPartEnum.OVERALL,
  spinal: MetricPartEnum.SPINAL,
  foraminal: MetricPartEnum.FORAMINAL,
  subarticular: MetricPartEnum.SUBARTICULAR,
  anySevereSpinal: MetricPartEnum.ANY_SEVERE_SPINAL,
};

function toPart(p: PartComparison): MetricPartComparison {
  const { resamples, part, ...rest } = p;
  return { ...rest, part: PART[part], definedResamples: resamples };
}

export function toComparison(r: ComparisonResult): ModelSetComparison {
  // Overall first: the answer a reader looks for.
  const parts = [...r.parts.filter((p) => p.part === 'overall'), ...r.parts.filter((p) => p.part !== 'overall')];
  return { ...r, parts: parts.map(toPart) };
}

function toAgreementGroups(groups: AgreementCore['groups']): AgreementGroup[] {
  return groups.map((g) => ({
    ...g,
    confusion: g.confusion.map((row) => [...row]),
    reliability: g.reliability.map((bins, k) => ({ severity: SEVERITIES[k], bins: [...bins] })),
  }));
}

export function toAgreement(r: AgreementResult): Agreement {
  return {
    modelSetId: r.modelSetId,
    studyCount: r.studyCount,
    rowCount: r.rowCount,
    cohort: r.cohort,
    groups: toAgreementGroups(r.groups),
    grouping: toGrouping(r.grouping),
    strata: mapGroups(r.strata, (stratum, result) => ({
      stratum,
      rowCount: result ? result.rowCount : null,
      groups: result ? toAgreementGroups(result.groups) : [],
    })),
  };
}
