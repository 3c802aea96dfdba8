// Sensitivity, specificity, PPV and NPV of a yes/no reading of the severity classes ("severe": class 2; "moderate
// or worse": class >= 1), counted from the 3x3 confusion matrix (label rows, predicted columns).
import { CLASS_COUNT, type Matrix3 } from './confusion.js';
import { ratio, type Statistic } from './statistic.js';

export interface BinaryMetrics {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  readonly sensitivity: Statistic;
  readonly specificity: Statistic;
  readonly ppv: Statistic;
  readonly npv: Statistic;
}

/** Positive means class >= `threshold` (2: severe; 1: moderate or worse). */
export function binaryMetrics(m: Matrix3, threshold: 1 | 2): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < CLASS_COUNT; i++) {
    for (let j = 0; j < CLASS_COUNT; j++) {
      const label = i >= threshold;
      const predicted = j >= threshold;
      if (label && predicted) tp += m[i][j];
      else if (label) fn += m[i][j];
      else if (predicted) fp += m[i][j];
      else tn += m[i][j];
    }
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    sensitivity: ratio(tp, tp + fn, 'no positive labels'),
    specificity: ratio(tn, tn + fp, 'no negative labels'),
    ppv: ratio(tp, tp + fp, 'no positive predictions'),
    npv: ratio(tn, tn + fn, 'no negative predictions'),
  };
}
