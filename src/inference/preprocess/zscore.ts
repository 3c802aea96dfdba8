// Stack z-score: one mean and one standard deviation over every voxel of the stack (all its channels), as the
// seed's `if standardize and x.std() != 0: x = (x - x.mean()) / x.std()`.

/**
 * Normalises `data[offset, offset + length)` in place with the population standard deviation (numpy's default).
 * A stack whose standard deviation is exactly 0 (e.g. all zero) is left as it is, as the seed leaves it.
 */
export function zscoreInPlace(data: Float32Array, offset = 0, length = data.length - offset): { mean: number; std: number } {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) sum += data[i];
  return zscoreWithSum(data, sum, offset, length);
}

/**
 * zscoreInPlace when the caller already has the sum of `data[offset, offset + length)`, added in index order (the
 * resampler returns it as it writes): the same result, one pass fewer.
 */
export function zscoreWithSum(data: Float32Array, sum: number, offset = 0, length = data.length - offset): { mean: number; std: number } {
  const mean = length > 0 ? sum / length : 0;
  const end = offset + length;
  let sq = 0;
  for (let i = offset; i < end; i++) {
    const d = data[i] - mean;
    sq += d * d;
  }
  const std = length > 0 ? Math.sqrt(sq / length) : 0;
  if (std === 0) return { mean, std };
  const inv = 1 / std;
  for (let i = offset; i < end; i++) data[i] = (data[i] - mean) * inv;
  return { mean, std };
}
