// The paired bootstrap of the difference between two model sets' RSNA metric on the same studies: each resample
// draws n studies with replacement (mulberry32 from the seed), recomputes every part's weighted ratio
// sum(w * loss) / sum(w) over the drawn studies for A and for B, and the score as the mean of the parts present.
// The study is the unit of resampling, as the rows of a study are not independent. Loss sums come in per study,
// so a resample costs n draws x 12 additions, on typed arrays.
import { percentileSorted } from './percentile.js';

export const METRIC_PARTS = ['spinal', 'foraminal', 'subarticular', 'anySevereSpinal'] as const;
export type MetricPart = (typeof METRIC_PARTS)[number];
const PART_COUNT = METRIC_PARTS.length;

/** Per study s and part k at [s * 4 + k]: A's and B's sums of w * loss, and the sum of w (the label's weight). */
export interface StudyContributions {
  readonly studies: number;
  readonly lossA: Float64Array;
  readonly lossB: Float64Array;
  readonly weight: Float64Array;
}

export interface PartComparison {
  /** 'overall' or a metric part. */
  readonly part: MetricPart | 'overall';
  /** Null when no study has a row of the part. */
  readonly a: number | null;
  readonly b: number | null;
  /** b - a: negative when B's loss is lower (better). */
  readonly difference: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** Share of the resamples (those where the part is defined) where B's loss is strictly lower than A's. */
  readonly bBetterShare: number | null;
  /** Resamples where the part had at least one row. */
  readonly resamples: number;
}

export interface BootstrapOptions {
  readonly resamples: number;
  readonly seed: number;
  /** Two-sided coverage of the interval, e.g. 0.95. */
  readonly level: number;
}

/** The four parts and the overall score on the given sums (one study set, or one resample's). */
function scores(
  lossA: ArrayLike<number>,
  lossB: ArrayLike<number>,
  weight: ArrayLike<number>,
): { a: (number | null)[]; b: (number | null)[] } {
  const a: (number | null)[] = [];
  const b: (number | null)[] = [];
  let sumA = 0;
  let sumB = 0;
  let present = 0;
  for (let k = 0; k < PART_COUNT; k++) {
    if (weight[k] > 0) {
      const ra = lossA[k] / weight[k];
      const rb = lossB[k] / weight[k];
      a.push(ra);
      b.push(rb);
      sumA += ra;
      sumB += rb;
      present++;
    } else {
      a.push(null);
      b.push(null);
    }
  }
  a.push(present ? sumA / present : null);
  b.push(present ? sumB / present : null);
  return { a, b };
}

export function pairedBootstrap(data: StudyContributions, options: BootstrapOptions): PartComparison[] {
  const n = data.studies;
  const total = { a: new Float64Array(PART_COUNT), b: new Float64Array(PART_COUNT), w: new Float64Array(PART_COUNT) };
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < PART_COUNT; k++) {
      total.a[k] += data.lossA[s * PART_COUNT + k];
      total.b[k] += data.lossB[s * PART_COUNT + k];
      total.w[k] += data.weight[s * PART_COUNT + k];
    }
  }
  const point = scores(total.a, total.b, total.w);
  const outputs = PART_COUNT + 1;
  const diffs = Array.from({ length: outputs }, () => new Float64Array(options.resamples));
  const defined = new Int32Array(outputs);
  const better = new Int32Array(outputs);
  if (n > 0) resample(data, options, diffs, defined, better);
  const alpha = (1 - options.level) / 2;
  return [...METRIC_PARTS, 'overall' as const].map((part, k) => {
    const a = point.a[k];
    const b = point.b[k];
    const m = defined[k];
    const sorted = diffs[k].subarray(0, m).sort();
    return {
      part,
      a,
      b,
      difference: a === null || b === null ? null : b - a,
      lower: m ? percentileSorted(sorted, alpha) : null,
      upper: m ? percentileSorted(sorted, 1 - alpha) : null,
      bBetterShare: m ? better[k] / m : null,
      resamples: m,
    };
  });
}

/** Fills diffs[k][0..defined[k]) with B - A per resample, in resample order. */
function resample(
  data: StudyContributions,
  options: BootstrapOptions,
  diffs: Float64Array[],
  defined: Int32Array,
  better: Int32Array,
): void {
  const n = data.studies;
  const { lossA, lossB, weight } = data;
  // mulberry32 (prng.ts) inlined: a closure call per draw costs more than the draw's 12 additions.
  let state = options.seed >>> 0;
  const sa = new Float64Array(PART_COUNT);
  const sb = new Float64Array(PART_COUNT);
  const sw = new Float64Array(PART_COUNT);
  for (let r = 0; r < options.resamples; r++) {
    // Locals, not the arrays: this loop runs resamples x n times.
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0, w0 = 0, w1 = 0, w2 = 0, w3 = 0; // prettier-ignore
    for (let d = 0; d < n; d++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      const o = Math.floor((((t ^ (t >>> 14)) >>> 0) * n) / 4294967296) * PART_COUNT;
      a0 += lossA[o];
      a1 += lossA[o + 1];
      a2 += lossA[o + 2];
      a3 += lossA[o + 3];
      b0 += lossB[o];
      b1 += lossB[o + 1];
      b2 += lossB[o + 2];
      b3 += lossB[o + 3];
      w0 += weight[o];
      w1 += weight[o + 1];
      w2 += weight[o + 2];
      w3 += weight[o + 3];
    }
    sa.set([a0, a1, a2, a3]);
    sb.set([b0, b1, b2, b3]);
    sw.set([w0, w1, w2, w3]);
    const s = scores(sa, sb, sw);
    for (let k = 0; k < PART_COUNT + 1; k++) {
      const a = s.a[k];
      const b = s.b[k];
      if (a === null || b === null) continue;
      diffs[k][defined[k]++] = b - a;
      if (b < a) better[k]++;
    }
  }
}
