// Test-only reference (issue 15): src/inference/preprocess/bicubic.ts as it was on main at 78f7c91, before the
// preprocessing rewrite, kept verbatim (imports re-pointed) so tests can check the new code renders the same bits.
// Separable bicubic resampling of a float image onto any axis-aligned grid (resize, crop, mirror in one pass).
//
// Kernel: Keys' cubic convolution with a = -0.75, the coefficient OpenCV's INTER_CUBIC uses (the reference
// pipeline resized with cv2.resize). Taps that fall off the image repeat the edge pixel, as OpenCV does.
// With `outside: 'zero'`, target pixels whose centre maps outside the source extent [-0.5, n - 0.5] are 0:
// that is how an ROI reaching past the image edge is left zero.
import type { ImageFrame } from '../../../src/domain/image.js';
import type { AxisMap, PixelMap } from '../../../src/inference/preprocess/pixel-map.js';

export const CUBIC_A = -0.75;
export type OutsidePolicy = 'replicate' | 'zero';

interface AxisTaps {
  readonly index: Int32Array; // 4 per target pixel
  readonly weight: Float64Array; // 4 per target pixel
  readonly inside: Uint8Array;
}

function cubicWeights(f: number, w: Float64Array, at: number): void {
  const a = CUBIC_A;
  const x = f + 1;
  w[at] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  w[at + 1] = ((a + 2) * f - (a + 3)) * f * f + 1;
  const g = 1 - f;
  w[at + 2] = ((a + 2) * g - (a + 3)) * g * g + 1;
  w[at + 3] = 1 - w[at] - w[at + 1] - w[at + 2];
}

function axisTaps(map: AxisMap, targetLength: number, sourceLength: number, outside: OutsidePolicy): AxisTaps {
  const index = new Int32Array(targetLength * 4);
  const weight = new Float64Array(targetLength * 4);
  const inside = new Uint8Array(targetLength);
  const last = sourceLength - 1;
  for (let t = 0; t < targetLength; t++) {
    const c = map.offset + map.scale * t;
    inside[t] = outside === 'replicate' || (c >= -0.5 && c <= sourceLength - 0.5) ? 1 : 0;
    const i0 = Math.floor(c);
    cubicWeights(c - i0, weight, t * 4);
    for (let j = 0; j < 4; j++) index[t * 4 + j] = Math.min(Math.max(i0 - 1 + j, 0), last);
  }
  return { index, weight, inside };
}

/**
 * Samples `source` at the positions `map` gives for each target pixel (source = offset + scale * target, per
 * axis) and writes rows x cols values at `out[outOffset...]`.
 */
export function resampleBicubic(
  source: ImageFrame,
  map: PixelMap,
  rows: number,
  cols: number,
  outside: OutsidePolicy,
  out: Float32Array = new Float32Array(rows * cols),
  outOffset = 0,
): Float32Array {
  const tx = axisTaps(map.x, cols, source.columns, outside);
  const ty = axisTaps(map.y, rows, source.rows, outside);
  // Only the source rows some inside target row touches go through the horizontal pass.
  let rMin = source.rows;
  let rMax = -1;
  for (let v = 0; v < rows; v++) {
    if (!ty.inside[v]) continue;
    rMin = Math.min(rMin, ty.index[v * 4]);
    rMax = Math.max(rMax, ty.index[v * 4 + 3]);
  }
  if (rMax < rMin) {
    out.fill(0, outOffset, outOffset + rows * cols);
    return out;
  }
  const src = source.pixels;
  const srcCols = source.columns;
  const tmp = new Float64Array((rMax - rMin + 1) * cols);
  for (let r = rMin; r <= rMax; r++) {
    const rowBase = r * srcCols;
    const tmpBase = (r - rMin) * cols;
    for (let u = 0; u < cols; u++) {
      const k = u * 4;
      tmp[tmpBase + u] =
        tx.weight[k] * src[rowBase + tx.index[k]] +
        tx.weight[k + 1] * src[rowBase + tx.index[k + 1]] +
        tx.weight[k + 2] * src[rowBase + tx.index[k + 2]] +
        tx.weight[k + 3] * src[rowBase + tx.index[k + 3]];
    }
  }
  for (let v = 0; v < rows; v++) {
    const o = outOffset + v * cols;
    if (!ty.inside[v]) {
      out.fill(0, o, o + cols);
      continue;
    }
    const k = v * 4;
    const b0 = (ty.index[k] - rMin) * cols;
    const b1 = (ty.index[k + 1] - rMin) * cols;
    const b2 = (ty.index[k + 2] - rMin) * cols;
    const b3 = (ty.index[k + 3] - rMin) * cols;
    const w0 = ty.weight[k];
    const w1 = ty.weight[k + 1];
    const w2 = ty.weight[k + 2];
    const w3 = ty.weight[k + 3];
    for (let u = 0; u < cols; u++) {
      out[o + u] = tx.inside[u] ? w0 * tmp[b0 + u] + w1 * tmp[b1 + u] + w2 * tmp[b2 + u] + w3 * tmp[b3 + u] : 0;
    }
  }
  return out;
}
