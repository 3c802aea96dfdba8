// Every agreement statistic of one group of rows (a condition at a level, or a condition pooled over levels):
// labels 0..2 and the model's three probabilities per row.
import { binaryMetrics, type BinaryMetrics } from './binary-metrics.js';
import { binnedRow, binRow, CalibrationSums, type ReliabilityBin } from './calibration.js';
import { argmax3, type Matrix3 } from './confusion.js';
import { quadraticKappa } from './kappa.js';
import { mergeSortedScores, rocAucOfSorted, sortedScores, type SortedScores } from './roc-auc.js';
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

export function agreementStats(rows: SeverityRows): AgreementStats {
  return agreementOfLevels([rows]).levels[0];
}

/**
 * The statistics of each group of rows (a condition's levels) and of all of them pooled, in one pass over the rows:
 * each row is binned and classified once and counted in its level's sums and in the pooled sums, added in the order
 * of the levels given, so the pooled answer is agreementStats() of the levels' rows concatenated, to the last bit;
 * the pooled AUC merges the levels' sorted scores instead of sorting again.
 */
export function agreementOfLevels(parts: readonly SeverityRows[]): { levels: AgreementStats[]; pooled: AgreementStats } {
  const pooledConfusion = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const pooledCalibration = new CalibrationSums();
  const row = binnedRow();
  const scores = parts.map(severeScores);
  const levels = parts.map((part, j) => {
    const confusion = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const calibration = new CalibrationSums();
    const { labels, p0, p1, p2 } = part;
    for (let i = 0; i < labels.length; i++) {
      binRow(row, labels[i], p0[i], p1[i], p2[i]);
      const cell = labels[i] * 3 + argmax3(p0[i], p1[i], p2[i]);
      confusion[cell]++;
      pooledConfusion[cell]++;
      calibration.add(row);
      pooledCalibration.add(row);
    }
    return statsOf(labels.length, confusion, calibration, scores[j]);
  });
  const total = parts.reduce((n, p) => n + p.labels.length, 0);
  return { levels, pooled: statsOf(total, pooledConfusion, pooledCalibration, mergeSortedScores(scores)) };
}

function statsOf(rows: number, counts: readonly number[], calibration: CalibrationSums, severe: SortedScores): AgreementStats {
  const confusion = [counts.slice(0, 3), counts.slice(3, 6), counts.slice(6, 9)] as unknown as Matrix3;
  const { ece, reliability } = calibration.result();
  return {
    rows,
    confusion,
    kappa: quadraticKappa(confusion),
    severe: binaryMetrics(confusion, 2),
    moderateOrWorse: binaryMetrics(confusion, 1),
    severeAuc: rocAucOfSorted(severe),
    ece,
    reliability,
  };
}

/** 1 where the label is class k (a plain loop: a map callback per row costs more than the row's statistics). */
function isClass(labels: Uint8Array, k: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === k ? 1 : 0;
  return out;
}
