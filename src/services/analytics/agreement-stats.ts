// Every agreement statistic of one group of rows (a condition at a level, or a condition pooled over levels):
// labels 0..2 and the model's three probabilities per row.
import { binaryMetrics, type BinaryMetrics } from './binary-metrics.js';
import { calibrationOf, type ReliabilityBin } from './calibration.js';
import { argmax3, confusionMatrix, type Matrix3 } from './confusion.js';
import { quadraticKappa } from './kappa.js';
import { rocAucOfSorted, sortedScores, type SortedScores } from './roc-auc.js';
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

/** The severe probability's scores for a severe label, sorted (what the AUC reads; pooled groups merge them). */
export function severeScores(rows: SeverityRows): SortedScores {
  return sortedScores(isClass(rows.labels, 2), rows.p2);
}

/** `severe`: severeScores(rows) when the caller has them already (a pooled group merges its parts'). */
export function agreementStats(rows: SeverityRows, severe: SortedScores = severeScores(rows)): AgreementStats {
  const { labels, p0, p1, p2 } = rows;
  const n = labels.length;
  const predicted = new Uint8Array(n);
  for (let i = 0; i < n; i++) predicted[i] = argmax3(p0[i], p1[i], p2[i]);
  const confusion = confusionMatrix(labels, predicted);
  const calibration = calibrationOf(labels, p0, p1, p2);
  return {
    rows: n,
    confusion,
    kappa: quadraticKappa(confusion),
    severe: binaryMetrics(confusion, 2),
    moderateOrWorse: binaryMetrics(confusion, 1),
    severeAuc: rocAucOfSorted(severe),
    ece: calibration.ece,
    reliability: calibration.reliability,
  };
}

/** 1 where the label is class k (a plain loop: a map callback per row costs more than the row's statistics). */
function isClass(labels: Uint8Array, k: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === k ? 1 : 0;
  return out;
}
