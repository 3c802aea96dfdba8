// Separable bicubic resampling of a float image onto any axis-aligned grid (resize, crop, mirror in one pass).
//
// Kernel: Keys' cubic convolution with a = -0.75, the coefficient OpenCV's INTER_CUBIC uses (the reference
// pipeline resized with cv2.resize). Taps that fall off the image repeat the edge pixel, as OpenCV does.
// With `outside: 'zero'`, target pixels whose centre maps outside the source extent [-0.5, n - 0.5] are 0:
// that is how an ROI reaching past the image edge is left zero.
//
// Speed (issue 15): the per-axis tap tables are cached per (map, target length, source span), the intermediate
// rows live in one reusable scratch buffer, and an ROI cut-out is read in place from its frame (its taps are
// clamped to the box, which is exactly what resizing a copied cut-out does). The arithmetic is the same double
// precision expressions, in the same order, as the implementation this replaced, so the output is bit-identical
// (tests/unit/inference/preprocess-identity.test.ts checks that against the old code).
import type { ImageFrame } from '../../domain/image.js';
import type { AxisMap, PixelMap } from './pixel-map.js';

export const CUBIC_A = -0.75;
export type OutsidePolicy = 'replicate' | 'zero';

/** A sub-rectangle [x1, x2) x [y1, y2) of a frame, resampled as if it were its own image (the seed's img[y1:y2, x1:x2]). */
export interface SourceRegion {
  readonly x1: number;
  readonly x2: number;
  readonly y1: number;
  readonly y2: number;
}

interface AxisTaps {
  /** 4 per target pixel: absolute source indices, already clamped to the span. */
  readonly index: Int32Array;
  /** 4 per target pixel. */
  readonly weight: Float64Array;
  readonly inside: Uint8Array;
  readonly allInside: boolean;
  /** Every target pixel's weights are exactly (0, 1, 0, 0): a same-size resize on this axis, a pure gather. */
  readonly identity: boolean;
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

const isIdentity = (w: Float64Array, from: number, to = w.length): boolean => {
  for (let k = from; k < to; k += 4) if (w[k] !== 0 || w[k + 1] !== 1 || w[k + 2] !== 0 || w[k + 3] !== 0) return false;
  return true;
};

// A same-size axis (a 512 px slice into a 512 px input) weighs its taps (0, 1, 0, 0). Then 0*a + 1*b + 0*c + 0*d is
// exactly b, provided a, c and d are finite (0 * Infinity is NaN) and b is not a zero (+0 + -0 is +0, so a -0 would
// become +0): such an axis copies, and falls back to the full expression for a zero. Finiteness is checked once per
// frame (a decoded slice is rendered by several roles).
const finiteFrames = new WeakMap<Float32Array, boolean>();
function allFinite(pixels: Float32Array): boolean {
  let known = finiteFrames.get(pixels);
  if (known === undefined) {
    known = true;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i];
      if (v - v !== 0) {
        known = false;
        break;
      }
    }
    finiteFrames.set(pixels, known);
  }
  return known;
}

/** Taps over source pixels [start, start + length): positions are in that span's own grid. */
function buildTaps(map: AxisMap, targetLength: number, start: number, length: number, outside: OutsidePolicy): AxisTaps {
  const index = new Int32Array(targetLength * 4);
  const weight = new Float64Array(targetLength * 4);
  const inside = new Uint8Array(targetLength);
  const last = length - 1;
  let allInside = true;
  for (let t = 0; t < targetLength; t++) {
    const c = map.offset + map.scale * t;
    const isInside = outside === 'replicate' || (c >= -0.5 && c <= length - 0.5);
    inside[t] = isInside ? 1 : 0;
    if (!isInside) allInside = false;
    const i0 = Math.floor(c);
    cubicWeights(c - i0, weight, t * 4);
    for (let j = 0; j < 4; j++) index[t * 4 + j] = start + Math.min(Math.max(i0 - 1 + j, 0), last);
  }
  return { index, weight, inside, allInside, identity: isIdentity(weight, 0) };
}

// Every slice of a series and every study of a cohort at one size shares its full-slice tables; ROI boxes repeat
// across the slices of a window. Bounded: a long-running worker sees unboundedly many ROI positions.
const TAP_CACHE_LIMIT = 1024;
const tapCache = new Map<string, AxisTaps>();

function axisTaps(map: AxisMap, targetLength: number, start: number, length: number, outside: OutsidePolicy): AxisTaps {
  const key = `${map.offset}|${map.scale}|${targetLength}|${start}|${length}|${outside}`;
  let taps = tapCache.get(key);
  if (!taps) {
    if (tapCache.size >= TAP_CACHE_LIMIT) tapCache.clear();
    taps = buildTaps(map, targetLength, start, length, outside);
    tapCache.set(key, taps);
  }
  return taps;
}

// The horizontal pass's rows (doubles, as before: the vertical pass reads them unrounded). Grown, never shrunk;
// each worker thread has its own module instance, so one buffer per thread.
let scratch = new Float64Array(0);
function scratchOf(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(Math.max(length, scratch.length * 2));
  return scratch;
}

/**
 * Samples `source` (or its `region`) at the positions `map` gives for each target pixel (source = offset + scale *
 * target, per axis, in the region's own grid when one is given) and writes rows x cols values at
 * `out[outOffset...]`. Returns `runningSum` plus every value written, added one by one in index order (float32
 * values summed in double precision): rendering a stack's channels in order with the sum carried from one to the
 * next gives, bit for bit, the z-score's first pass over the whole stack, without that pass.
 */
export function resampleInto(
  source: ImageFrame,
  map: PixelMap,
  rows: number,
  cols: number,
  outside: OutsidePolicy,
  out: Float32Array,
  outOffset: number,
  region?: SourceRegion,
  runningSum = 0,
): number {
  const x0 = region ? region.x1 : 0;
  const y0 = region ? region.y1 : 0;
  const tx = axisTaps(map.x, cols, x0, region ? region.x2 - region.x1 : source.columns, outside);
  const ty = axisTaps(map.y, rows, y0, region ? region.y2 - region.y1 : source.rows, outside);
  const xi = tx.index;
  const xw = tx.weight;
  const yi = ty.index;
  const yw = ty.weight;
  // Only the source rows some inside target row touches go through the horizontal pass.
  let rMin = Number.MAX_SAFE_INTEGER;
  let rMax = -1;
  for (let v = 0; v < rows; v++) {
    if (!ty.inside[v]) continue;
    if (yi[v * 4] < rMin) rMin = yi[v * 4];
    if (yi[v * 4 + 3] > rMax) rMax = yi[v * 4 + 3];
  }
  if (rMax < rMin) {
    out.fill(0, outOffset, outOffset + rows * cols);
    return runningSum;
  }
  const src = source.pixels;
  const srcCols = source.columns;
  const tmp = scratchOf((rMax - rMin + 1) * cols);
  const finite = (tx.identity || ty.identity) && allFinite(src);
  const copyRows = tx.identity && finite;
  for (let r = rMin; r <= rMax; r++) {
    const rowBase = r * srcCols;
    const tmpBase = (r - rMin) * cols;
    if (copyRows) {
      for (let u = 0, k = 0; u < cols; u++, k += 4) {
        const b = src[rowBase + xi[k + 1]];
        tmp[tmpBase + u] =
          b !== 0
            ? b
            : xw[k] * src[rowBase + xi[k]] + xw[k + 1] * b + xw[k + 2] * src[rowBase + xi[k + 2]] + xw[k + 3] * src[rowBase + xi[k + 3]];
      }
      continue;
    }
    for (let u = 0, k = 0; u < cols; u++, k += 4) {
      tmp[tmpBase + u] =
        xw[k] * src[rowBase + xi[k]] +
        xw[k + 1] * src[rowBase + xi[k + 1]] +
        xw[k + 2] * src[rowBase + xi[k + 2]] +
        xw[k + 3] * src[rowBase + xi[k + 3]];
    }
  }
  const xInside = tx.inside;
  let sum = runningSum;
  for (let v = 0; v < rows; v++) {
    const o = outOffset + v * cols;
    if (!ty.inside[v]) {
      out.fill(0, o, o + cols);
      continue;
    }
    const k = v * 4;
    const b0 = (yi[k] - rMin) * cols;
    const b1 = (yi[k + 1] - rMin) * cols;
    const b2 = (yi[k + 2] - rMin) * cols;
    const b3 = (yi[k + 3] - rMin) * cols;
    const w0 = yw[k];
    const w1 = yw[k + 1];
    const w2 = yw[k + 2];
    const w3 = yw[k + 3];
    if (tx.allInside && finite && w0 === 0 && w1 === 1 && w2 === 0 && w3 === 0) {
      for (let u = 0; u < cols; u++) {
        const b = tmp[b1 + u];
        const value = Math.fround(b !== 0 ? b : w0 * tmp[b0 + u] + w1 * b + w2 * tmp[b2 + u] + w3 * tmp[b3 + u]);
        out[o + u] = value;
        sum += value;
      }
    } else if (tx.allInside) {
      for (let u = 0; u < cols; u++) {
        const value = Math.fround(w0 * tmp[b0 + u] + w1 * tmp[b1 + u] + w2 * tmp[b2 + u] + w3 * tmp[b3 + u]);
        out[o + u] = value;
        sum += value;
      }
    } else {
      for (let u = 0; u < cols; u++) {
        const value = xInside[u] ? Math.fround(w0 * tmp[b0 + u] + w1 * tmp[b1 + u] + w2 * tmp[b2 + u] + w3 * tmp[b3 + u]) : 0;
        out[o + u] = value;
        sum += value;
      }
    }
  }
  return sum;
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
  resampleInto(source, map, rows, cols, outside, out, outOffset);
  return out;
}
