// SQL pieces of the RSNA metric shared by the analytics queries, from the same constants as evaluation.service.ts:
// the sample weights of SEVERITY_WEIGHT and the clip of scikit-learn's log_loss.
import { SEVERITY_WEIGHT } from '../../domain/vocabulary.js';

/** The label's sample weight, over a Label row aliased `l`. Constants of ours, never input. */
export const LABEL_WEIGHT_SQL = `CASE l.severity WHEN 'NORMAL_MILD' THEN ${SEVERITY_WEIGHT.NORMAL_MILD.toFixed(1)} WHEN 'MODERATE' THEN ${SEVERITY_WEIGHT.MODERATE.toFixed(1)} ELSE ${SEVERITY_WEIGHT.SEVERE.toFixed(1)} END`;

/** The label's class index 0..2, over a Label row aliased `l`. */
export const LABEL_CLASS_SQL = `CASE l.severity WHEN 'NORMAL_MILD' THEN 0 WHEN 'MODERATE' THEN 1 ELSE 2 END`;

/** The metric's part of a condition (spinal, foraminal, subarticular), over a Label row aliased `l`. */
export const CORE_SQL = `CASE WHEN l.condition = 'SPINAL_CANAL_STENOSIS' THEN 'spinal'
  WHEN l.condition IN ('LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING') THEN 'foraminal' ELSE 'subarticular' END`;

/** -ln of the probability of the labelled class, each probability clipped to [eps, 1-eps], the triple renormalised. */
export function rowLossSql(p: string, eps: string): string {
  const clip = (col: string): string => `LEAST(GREATEST(${p}.${col}, ${eps}), 1 - ${eps})`;
  return `-ln((CASE l.severity WHEN 'NORMAL_MILD' THEN ${clip('"normalMild"')} WHEN 'MODERATE' THEN ${clip('moderate')} ELSE ${clip('severe')} END)
    / (${clip('"normalMild"')} + ${clip('moderate')} + ${clip('severe')}))`;
}

/** Big-endian float64s packed by string_agg(float8send(..)) into one bytea, as a Float64Array. */
export function float64sOf(bytes: Uint8Array): Float64Array {
  const n = bytes.length / 8;
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, false);
  return out;
}
