import { describe, expect, it } from 'vitest';
import type { ImageFrame } from '../../../src/domain/image.js';
import { CUBIC_A, resampleBicubic } from '../../../src/inference/preprocess/bicubic.js';
import { resizeAxis, type PixelMap } from '../../../src/inference/preprocess/pixel-map.js';

const frame = (rows: number, cols: number, f: (x: number, y: number) => number): ImageFrame => {
  const pixels = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) pixels[y * cols + x] = f(x, y);
  return { rows, columns: cols, pixels };
};
const resize = (src: ImageFrame, rows: number, cols: number): Float32Array =>
  resampleBicubic(src, { x: resizeAxis(src.columns, cols), y: resizeAxis(src.rows, rows) }, rows, cols, 'replicate');

/** Keys' kernel written out directly, evaluated as a full 4 x 4 (non-separable) sum: an independent reference. */
function keys(t: number): number {
  const a = CUBIC_A;
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}
function reference(src: ImageFrame, map: PixelMap, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
  for (let v = 0; v < rows; v++) {
    for (let u = 0; u < cols; u++) {
      const sx = map.x.offset + map.x.scale * u;
      const sy = map.y.offset + map.y.scale * v;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      let acc = 0;
      for (let j = -1; j <= 2; j++) {
        for (let i = -1; i <= 2; i++) {
          acc += keys(sx - (x0 + i)) * keys(sy - (y0 + j)) * src.pixels[clamp(y0 + j, src.rows) * src.columns + clamp(x0 + i, src.columns)];
        }
      }
      out[v * cols + u] = acc;
    }
  }
  return out;
}

describe('bicubic resampling', () => {
  it('keeps a constant image constant, up and down', () => {
    const src = frame(7, 11, () => 42.5);
    for (const [r, c] of [
      [20, 3],
      [5, 31],
      [7, 11],
    ]) {
      for (const v of resize(src, r, c)) expect(v).toBeCloseTo(42.5, 4);
    }
  });

  it('gives the hand-computed a = -0.75 weights on an impulse upsampled x2 (OpenCV INTER_CUBIC values)', () => {
    // Target u samples source u/2 - 0.25; the impulse at 2 is weighted w(1.25), w(0.75), w(0.25), w(0.25), ...
    const out = resize(
      frame(1, 5, (x) => (x === 2 ? 1 : 0)),
      1,
      10,
    );
    const want = [-0.10546875, 0.26171875, 0.87890625, 0.87890625, 0.26171875, -0.10546875];
    want.forEach((w, i) => expect(out[i + 2]).toBeCloseTo(w, 6));
  });

  it('is the identity at the same size', () => {
    const src = frame(9, 6, (x, y) => Math.sin(x) * 10 + y * y);
    const out = resize(src, 9, 6);
    out.forEach((v, i) => expect(v).toBeCloseTo(src.pixels[i], 4));
  });

  it('matches a direct 4x4 evaluation of the kernel on a random image (resize, downscale and an oblique-free crop)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 100;
    const src = frame(13, 17, () => rnd());
    const maps: [PixelMap, number, number][] = [
      [{ x: resizeAxis(17, 29), y: resizeAxis(13, 31) }, 31, 29],
      [{ x: resizeAxis(17, 5), y: resizeAxis(13, 4) }, 4, 5],
      [{ x: { offset: 2.3, scale: 0.37 }, y: { offset: -1.2, scale: 0.61 } }, 20, 30],
    ];
    for (const [map, rows, cols] of maps) {
      const got = resampleBicubic(src, map, rows, cols, 'replicate');
      const want = reference(src, map, rows, cols);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 3));
    }
  });

  it("zeroes target pixels whose centre falls outside the source with 'zero'", () => {
    const src = frame(4, 4, () => 10);
    // Target pixel u samples source x = u - 2: u = 0, 1 are outside [-0.5, 3.5], u = 2..5 inside, 6 outside.
    const out = resampleBicubic(src, { x: { offset: -2, scale: 1 }, y: { offset: 0, scale: 1 } }, 1, 7, 'zero');
    expect(Array.from(out)).toEqual([0, 0, 10, 10, 10, 10, 0]);
  });

  it('mirrors with a negative scale', () => {
    const src = frame(1, 5, (x) => x);
    const out = resampleBicubic(src, { x: { offset: 4, scale: -1 }, y: { offset: 0, scale: 1 } }, 1, 5, 'replicate');
    expect(Array.from(out).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([4, 3, 2, 1, 0]);
  });
});
