// The last-resort answer for a row no model could grade: how common each severity is.
import type { CoreCondition } from '../../domain/vocabulary.js';

/**
 * Approximate severity prevalence per core condition in the RSNA 2024 training labels (train.csv, ~1,975
 * studies; normal_mild, moderate, severe), rounded. A prior scores far better under the weighted log loss than
 * a uniform guess, and it is what the synthetic generator draws from.
 */
export const PREVALENCE_PRIOR: Readonly<Record<CoreCondition, readonly [number, number, number]>> = {
  spinal: [0.87, 0.07, 0.06],
  foraminal: [0.78, 0.17, 0.05],
  subarticular: [0.7, 0.19, 0.11],
};
