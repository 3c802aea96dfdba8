// Area under the ROC curve of a score for a yes/no label, as scikit-learn's roc_auc_score: the Mann-Whitney
// statistic, P(score of a positive > score of a negative) with a tie counting one half, which equals the trapezoidal
// area sklearn integrates. Counted by merging the positives' and the negatives' scores, each sorted natively (a
// typed array's numeric sort, no comparator call per comparison): U is a sum of halves, exact in float64.
import { defined, undefinedBecause, type Statistic } from './statistic.js';

export function rocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): Statistic {
  const n = score.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  const negatives = n - positives;
  if (positives === 0) return undefinedBecause('no positive labels: the AUC needs both classes');
  if (negatives === 0) return undefinedBecause('no negative labels: the AUC needs both classes');
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (positive[i]) pos[p++] = score[i];
    else neg[q++] = score[i];
  }
  pos.sort();
  neg.sort();
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
