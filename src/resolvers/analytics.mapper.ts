// Service results of the analytics use cases as their GraphQL types.
import { SEVERITIES } from '../domain/vocabulary.js';
import type { AgreementResult } from '../services/agreement.service.js';
import type { PartComparison } from '../services/analytics/paired-bootstrap.js';
import type { ModelSetComparison as ComparisonResult } from '../services/model-comparison.service.js';
import { type Agreement, type MetricPartComparison, MetricPartEnum, type ModelSetComparison } from '../schema/analytics.type.js';

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

export function toAgreement(r: AgreementResult): Agreement {
  return {
    ...r,
    groups: r.groups.map((g) => ({
      ...g,
      confusion: g.confusion.map((row) => [...row]),
      reliability: g.reliability.map((bins, k) => ({ severity: SEVERITIES[k], bins: [...bins] })),
    })),
  };
}
