// Area under the ROC curve of a score for a yes/no label, as scikit-learn's roc_auc_score: the Mann-Whitney
// statistic, P(score of a positive > score of a negative) with a tie counting one half, which equals the trapezoidal
// area sklearn integrates. Counted by merging the positives' and the negatives' scores, each sorted natively (a
// typed array's numeric sort, no comparator call per comparison): U is a sum of halves, exact in float64. The sorted
// scores of several groups merge into those of their union (mergeSortedScores), so a pooled AUC need not sort again.
import { defined, undefinedBecause, type Statistic } from './statistic.js';

/** The positives' and the negatives' scores, each in ascending order. */
export interface SortedScores {
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
}

export function sortedScores(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): SortedScores {
  const n = score.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (positive[i]) count++;
  const positives = new Float64Array(count);
  const negatives = new Float64Array(n - count);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (positive[i]) positives[p++] = score[i];
    else negatives[q++] = score[i];
  }
  return { positives: positives.sort(), negatives: negatives.sort() };
}

function merge2(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** The sorted scores of the union of groups: the same arrays sortedScores() gives on the rows of all of them. */
export function mergeSortedScores(parts: readonly SortedScores[]): SortedScores {
  return {
    positives: parts.reduce<Float64Array>((acc, p) => merge2(acc, p.positives), new Float64Array(0)),
    negatives: parts.reduce<Float64Array>((acc, p) => merge2(acc, p.negatives), new Float64Array(0)),
  };
}

export function rocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): Statistic {
  return rocAucOfSorted(sortedScores(positive, score));
}

export function rocAucOfSorted({ positives: pos, negatives: neg }: SortedScores): Statistic {
  const positives = pos.length;
  const negatives = neg.length;
  if (positives === 0) return undefinedBecause('no positive labels: the AUC needs both classes');
  if (negatives === 0) return undefinedBecause('no negative labels: the AUC needs both classes');
  // For each distinct positive score s: the negatives below it count 1, those equal to it 1/2.
  let u = 0;
  let below = 0;
  for (let i = 0; i < positives;) {
    const s = pos[i];
    let end = i + 1;
    while (end < positives && pos[end] === s) end++;
    while (below < negatives && neg[below] < s) below++;
    let equal = 0;
    while (below + equal < negatives && neg[below + equal] === s) equal++;
    u += (end - i) * (below + equal / 2);
    i = end;
  }
  return defined(u / (positives * negatives));
}
