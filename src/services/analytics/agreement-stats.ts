// Every agreement statistic of one group of rows (a condition at a level, or a condition pooled over levels):
// labels 0..2 and the model's three probabilities per row.
import { binaryMetrics, type BinaryMetrics } from './binary-metrics.js';
import { expectedCalibrationError, reliabilityBins, type ReliabilityBin } from './calibration.js';
import { argmax3, confusionMatrix, type Matrix3 } from './confusion.js';
import { quadraticKappa } from './kappa.js';
import { rocAuc } from './roc-auc.js';
import type { Statistic } from './statistic.js';

export interface SeverityRows {
  readonly labels: Uint8Array;
  readonly p0: Float64Array;
  readonly p1: Float64Array;
  readonly p2: Float64Array;
}

export interface AgreementStats {
  readonly rows: number;
  readonly confusion: Matrix3;
  readonly kappa: Statistic;
  readonly severe: BinaryMetrics;
  readonly moderateOrWorse: BinaryMetrics;
  /** One-vs-rest AUC of the severe probability for a severe label. */
  readonly severeAuc: Statistic;
  readonly ece: Statistic;
  /** Per class 0..2: the non-empty reliability bins of that class's probability. */
  readonly reliability: readonly (readonly ReliabilityBin[])[];
}

export function agreementStats(rows: SeverityRows): AgreementStats {
  const { labels, p0, p1, p2 } = rows;
  const n = labels.length;
  const predicted = new Uint8Array(n);
  for (let i = 0; i < n; i++) predicted[i] = argmax3(p0[i], p1[i], p2[i]);
  const confusion = confusionMatrix(labels, predicted);
  const probabilities = [p0, p1, p2];
  return {
    rows: n,
    confusion,
    kappa: quadraticKappa(confusion),
    severe: binaryMetrics(confusion, 2),
    moderateOrWorse: binaryMetrics(confusion, 1),
    severeAuc: rocAuc(
      labels.map((l) => (l === 2 ? 1 : 0)),
      p2,
    ),
    ece: expectedCalibrationError(labels, p0, p1, p2),
    reliability: probabilities.map((p, k) =>
      reliabilityBins(
        labels.map((l) => (l === k ? 1 : 0)),
        p,
      ),
    ),
  };
}
