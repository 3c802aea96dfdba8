// Stack z-score: one mean and one standard deviation over every voxel of the stack (all its channels).

export const ZSCORE_EPSILON = 1e-6;

/**
 * Normalises `data[offset, offset + length)` in place with the population standard deviation (numpy's default,
 * as in the reference). A flat stack (std below epsilon) carries no information and becomes all zero.
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
  const inv = std > ZSCORE_EPSILON ? 1 / std : 0;
  for (let i = offset; i < offset + length; i++) data[i] = (data[i] - mean) * inv;
  return { mean, std };
}
