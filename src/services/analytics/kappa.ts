// Quadratic-weighted Cohen's kappa from a confusion matrix, as scikit-learn's cohen_kappa_score(weights='quadratic'):
// 1 - sum(w * observed) / sum(w * expected), w[i][j] = (i - j)^2, expected = outer(column sums, row sums) / n.
import type { Matrix3 } from './confusion.js';
import { CLASS_COUNT } from './confusion.js';
import { defined, undefinedBecause, type Statistic } from './statistic.js';

export function quadraticKappa(m: Matrix3): Statistic {
  const rows = [0, 0, 0];
  const cols = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < CLASS_COUNT; i++) {
    for (let j = 0; j < CLASS_COUNT; j++) {
      rows[i] += m[i][j];
      cols[j] += m[i][j];
      n += m[i][j];
    }
  }
  if (n === 0) return undefinedBecause('no rows');
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < CLASS_COUNT; i++) {
    for (let j = 0; j < CLASS_COUNT; j++) {
      const w = (i - j) * (i - j);
      observed += w * m[i][j];
      expected += (w * cols[i] * rows[j]) / n;
    }
  }
  if (expected === 0) return undefinedBecause('labels and predictions are all one and the same class: chance agreement is total');
  return defined(1 - observed / expected);
}
