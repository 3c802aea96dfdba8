// Test-only reference (issue 15): src/inference/preprocess/zscore.ts as it was on main at 78f7c91, before the
// preprocessing rewrite, kept verbatim (imports re-pointed) so tests can check the new code renders the same bits.
// Stack z-score: one mean and one standard deviation over every voxel of the stack (all its channels), as the
// seed's `if standardize and x.std() != 0: x = (x - x.mean()) / x.std()`.

/**
 * Normalises `data[offset, offset + length)` in place with the population standard deviation (numpy's default).
 * A stack whose standard deviation is exactly 0 (e.g. all zero) is left as it is, as the seed leaves it.
 */
export function zscoreInPlace(data: Float32Array, offset = 0, length = data.length - offset): { mean: number; std: number } {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) sum += data[i];
  const mean = length > 0 ? sum / length : 0;
  let sq = 0;
  for (let i = offset; i < offset + length; i++) {
    const d = data[i] - mean;
    sq += d * d;
  }
  const std = length > 0 ? Math.sqrt(sq / length) : 0;
  if (std === 0) return { mean, std };
  const inv = 1 / std;
  for (let i = offset; i < offset + length; i++) data[i] = (data[i] - mean) * inv;
  return { mean, std };
}
