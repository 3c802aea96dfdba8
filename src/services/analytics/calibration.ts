// Calibration over 10 equal-width bins. The bin edges are scikit-learn's calibration_curve(strategy='uniform'):
// linspace(0, 1 + 1e-8, 11), a probability going to the lowest bin whose upper edge is >= it (numpy searchsorted),
// so the reliability bins per class equal its (prob_true, prob_pred) on the non-empty bins. The expected
// calibration error is the top-label one (Guo et al. 2017): over the bins of each row's largest probability,
// sum of (rows in bin / rows) x |accuracy in bin - mean largest probability in bin|.
import { argmax3 } from './confusion.js';
import { defined, undefinedBecause, type Statistic } from './statistic.js';

export const CALIBRATION_BINS = 10;

const STEP = (1 + 1e-8) / CALIBRATION_BINS;
/** The 9 interior edges, computed as numpy's linspace computes them (i * step). */
const EDGES = Array.from({ length: CALIBRATION_BINS - 1 }, (_, i) => (i + 1) * STEP);

/** The lowest bin whose upper edge is >= p (the last for larger p; the first for NaN). */
export function binOf(p: number): number {
  // A guess from p / STEP, then moved against the edges themselves until the edge below is < p and its own edge is
  // >= p: exactly the linear search's answer, in one or two comparisons instead of up to nine.
  const guess = Math.ceil(p / STEP) - 1;
  let bin = guess >= 0 ? Math.min(guess, EDGES.length) : 0;
  while (bin > 0 && EDGES[bin - 1] >= p) bin--;
  while (bin < EDGES.length && EDGES[bin] < p) bin++;
  return bin;
}

export interface ReliabilityBin {
  readonly bin: number;
  /** [lower, upper) of the bin's probabilities. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanPredicted: number;
  /** Share of the bin's rows whose label is the class (for the top-label bins: whose argmax is right). */
  readonly observed: number;
}

/** Non-empty bins of probability `p` for the yes/no outcome `hit`. */
export function reliabilityBins(hit: ArrayLike<boolean | number>, p: ArrayLike<number>): ReliabilityBin[] {
  const count = new Float64Array(CALIBRATION_BINS);
  const sumP = new Float64Array(CALIBRATION_BINS);
  const sumHit = new Float64Array(CALIBRATION_BINS);
  for (let i = 0; i < p.length; i++) {
    const b = binOf(p[i]);
    count[b] += 1;
    sumP[b] += p[i];
    if (hit[i]) sumHit[b] += 1;
  }
  return binsOf(count, sumP, sumHit);
}

function binsOf(count: Float64Array, sumP: Float64Array, sumHit: Float64Array): ReliabilityBin[] {
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    if (count[b] === 0) continue;
    bins.push({
      bin: b,
      lower: b === 0 ? 0 : EDGES[b - 1],
      upper: b === CALIBRATION_BINS - 1 ? 1 + 1e-8 : EDGES[b],
      count: count[b],
      meanPredicted: sumP[b] / count[b],
      observed: sumHit[b] / count[b],
    });
  }
  return bins;
}

function eceOf(bins: readonly ReliabilityBin[], n: number): Statistic {
  if (n === 0) return undefinedBecause('no rows');
  let ece = 0;
  for (const b of bins) ece += (b.count / n) * Math.abs(b.observed - b.meanPredicted);
  return defined(ece);
}

/**
 * expectedCalibrationError() and reliabilityBins() of each class, summed one row at a time: every bin adds the same
 * numbers in the same row order as those functions do, so the answers are theirs to the last bit. A row's bins are
 * found once (binRow) and may be added to several sums (a level's and its pooled group's).
 */
export class CalibrationSums {
  // Per series (class 0, 1, 2, then the top label) x bin: rows, sum of the probability, sum of hits.
  private readonly count = new Float64Array(4 * CALIBRATION_BINS);
  private readonly sumP = new Float64Array(4 * CALIBRATION_BINS);
  private readonly sumHit = new Float64Array(4 * CALIBRATION_BINS);
  private rows = 0;

  /** Adds the row binRow() last described in `row`. */
  add(row: BinnedRow): void {
    for (let k = 0; k < 4; k++) {
      const i = k * CALIBRATION_BINS + row.bin[k];
      this.count[i] += 1;
      this.sumP[i] += row.p[k];
      if (row.hit[k]) this.sumHit[i] += 1;
    }
    this.rows++;
  }

  result(): { ece: Statistic; reliability: ReliabilityBin[][] } {
    const series = (k: number): ReliabilityBin[] => {
      const at = (a: Float64Array): Float64Array => a.subarray(k * CALIBRATION_BINS, (k + 1) * CALIBRATION_BINS);
      return binsOf(at(this.count), at(this.sumP), at(this.sumHit));
    };
    return { ece: eceOf(series(3), this.rows), reliability: [series(0), series(1), series(2)] };
  }
}

/** One row's four series (class 0, 1, 2, top label): bin, probability, hit. Reused from row to row. */
export interface BinnedRow {
  readonly bin: Int32Array;
  readonly p: Float64Array;
  readonly hit: Uint8Array;
}

export function binnedRow(): BinnedRow {
  return { bin: new Int32Array(4), p: new Float64Array(4), hit: new Uint8Array(4) };
}

/** Fills `row` for a row with label `label` and probabilities a, m, s. */
export function binRow(row: BinnedRow, label: number, a: number, m: number, s: number): void {
  const top = Math.max(a, m, s);
  row.p[0] = a;
  row.p[1] = m;
  row.p[2] = s;
  row.p[3] = top;
  row.hit[0] = label === 0 ? 1 : 0;
  row.hit[1] = label === 1 ? 1 : 0;
  row.hit[2] = label === 2 ? 1 : 0;
  row.hit[3] = argmax3(a, m, s) === label ? 1 : 0;
  for (let k = 0; k < 4; k++) row.bin[k] = binOf(row.p[k]);
}

export function calibrationOf(
  labels: ArrayLike<number>,
  p0: ArrayLike<number>,
  p1: ArrayLike<number>,
  p2: ArrayLike<number>,
): { ece: Statistic; reliability: ReliabilityBin[][] } {
  const sums = new CalibrationSums();
  const row = binnedRow();
  for (let i = 0; i < labels.length; i++) {
    binRow(row, labels[i], p0[i], p1[i], p2[i]);
    sums.add(row);
  }
  return sums.result();
}

/** Top-label ECE over rows of three probabilities (p0, p1, p2 per row) and their labels (0..2). */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  p0: ArrayLike<number>,
  p1: ArrayLike<number>,
  p2: ArrayLike<number>,
): Statistic {
  const n = labels.length;
  if (n === 0) return undefinedBecause('no rows');
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    confidence[i] = Math.max(p0[i], p1[i], p2[i]);
    correct[i] = argmax3(p0[i], p1[i], p2[i]) === labels[i] ? 1 : 0;
  }
  return eceOf(reliabilityBins(correct, confidence), n);
}
