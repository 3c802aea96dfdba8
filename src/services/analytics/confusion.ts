// The 3x3 confusion matrix of severity classes (0 normal/mild, 1 moderate, 2 severe): rows are the label, columns
// the prediction, as scikit-learn's confusion_matrix(y_true, y_pred, labels=[0, 1, 2]).
export const CLASS_COUNT = 3;

export type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];

/** Index of the largest of three probabilities; the first on a tie, as numpy's argmax. */
export function argmax3(p0: number, p1: number, p2: number): number {
  if (p0 >= p1 && p0 >= p2) return 0;
  return p1 >= p2 ? 1 : 2;
}

export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>): Matrix3 {
  const m = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]] += 1;
  return m as unknown as Matrix3;
}
