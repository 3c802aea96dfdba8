// SQL pieces of the RSNA metric shared by the analytics queries, over a Prediction row whose "labelSeverity" is its
// label (copied by triggers) and whose "weightedLoss" is its term of the metric (generated; both in migration
// 20261203162500_prediction_label_loss, from the constants of evaluation.service.ts: SEVERITY_WEIGHT and the clip of
// scikit-learn's log_loss).
import { SEVERITY_WEIGHT } from '../../domain/vocabulary.js';

/** The label's sample weight over Prediction `p`. Constants of ours, never input. */
export function labelWeightSql(p: string): string {
  const w = (n: number): string => `${n.toFixed(1)}::float8`;
  return `(CASE ${p}."labelSeverity" WHEN 'NORMAL_MILD' THEN ${w(SEVERITY_WEIGHT.NORMAL_MILD)} WHEN 'MODERATE' THEN ${w(SEVERITY_WEIGHT.MODERATE)} ELSE ${w(SEVERITY_WEIGHT.SEVERE)} END)`;
}

/** The metric's part of a row's condition (spinal, foraminal, subarticular) over a row aliased `r`. */
export function coreSql(r: string): string {
  return `(CASE WHEN ${r}.condition = 'SPINAL_CANAL_STENOSIS' THEN 'spinal'
  WHEN ${r}.condition IN ('LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING') THEN 'foraminal' ELSE 'subarticular' END)`;
}

/** Big-endian float64s packed by string_agg(float8send(..)) into one bytea, as a Float64Array. */
export function float64sOf(bytes: Uint8Array): Float64Array {
  const n = bytes.length / 8;
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, false);
  return out;
}
