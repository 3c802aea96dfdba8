// Area under the ROC curve of a score for a yes/no label, as scikit-learn's roc_auc_score: the Mann-Whitney
// statistic with tied scores given their average rank, which equals the trapezoidal area sklearn integrates (a tie
// between a positive and a negative counts one half).
import { defined, undefinedBecause, type Statistic } from './statistic.js';

export function rocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): Statistic {
  const n = score.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (positive[i]) positives++;
  const negatives = n - positives;
  if (positives === 0) return undefinedBecause('no positive labels: the AUC needs both classes');
  if (negatives === 0) return undefinedBecause('no negative labels: the AUC needs both classes');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[a] - score[b]);
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && score[order[end]] === score[order[start]]) end++;
    // Ranks start + 1 .. end share their mean.
    const midrank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (positive[order[k]]) rankSum += midrank;
    start = end;
  }
  return defined((rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
}
