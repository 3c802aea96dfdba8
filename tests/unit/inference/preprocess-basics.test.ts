import { describe, expect, it } from 'vitest';
import { heatmapPeak } from '../../../src/inference/keypoints/heatmap-peak.js';
import { aroundWindow, middleWindow, offsetWindow } from '../../../src/inference/preprocess/slice-selection.js';
import { zscoreInPlace } from '../../../src/inference/preprocess/zscore.js';

describe('slice selection', () => {
  it('takes the middle k slices with start = floor((n - k) / 2)', () => {
    expect(middleWindow(15, 5)).toEqual({ start: 5, indices: [5, 6, 7, 8, 9] });
    expect(middleWindow(16, 5)).toEqual({ start: 5, indices: [5, 6, 7, 8, 9] });
    // (3 - 5) // 2 = -1, clamped to 0: three slices, then two zero channels at the end.
    expect(middleWindow(3, 5)).toEqual({ start: 0, indices: [0, 1, 2] });
  });

  it('centres Sag T1 slices at +-16.8 mm with start = ceil(offset / spacing + n/2 - 1 - k/2)', () => {
    // n = 15, spacing 3.5: 16.8 / 3.5 = 4.8; left: ceil(4.8 + 7.5 - 1 - 1.5) = ceil(9.8) = 10.
    expect(offsetWindow(15, 3, 16.8, 3.5).indices).toEqual([10, 11, 12]);
    // right: ceil(-4.8 + 5) = ceil(0.2) = 1.
    expect(offsetWindow(15, 3, -16.8, 3.5).indices).toEqual([1, 2, 3]);
    // n = 17, spacing 4, k = 5, L5/S1 18.9 mm: ceil(4.725 + 8.5 - 1 - 2.5) = ceil(9.725) = 10.
    expect(offsetWindow(17, 5, 18.9, 4).indices).toEqual([10, 11, 12, 13, 14]);
    // L1/L2 right, 14.9 mm: ceil(-3.725 + 5) = ceil(1.275) = 2.
    expect(offsetWindow(17, 5, -14.9, 4).indices).toEqual([2, 3, 4, 5, 6]);
  });

  it('clamps only the start, as the seed does: a window past the end keeps fewer slices (zero channels at the end)', () => {
    // ceil(40 / 3 + 5 - 1 - 1.5) = ceil(15.83) = 16 -> clamped to n = 10: no slice at all.
    expect(offsetWindow(10, 3, 40, 3)).toEqual({ start: 10, indices: [] });
    expect(offsetWindow(10, 3, 12, 3)).toEqual({ start: 7, indices: [7, 8, 9] });
    expect(offsetWindow(10, 3, 15, 3)).toEqual({ start: 8, indices: [8, 9] });
    expect(offsetWindow(10, 3, -40, 3).indices).toEqual([0, 1, 2]);
    // No usable SpacingBetweenSlices (absent or 0: the seed's except branch): the middle window.
    expect(offsetWindow(15, 3, 16.8, Number.NaN)).toEqual(middleWindow(15, 3));
    expect(offsetWindow(15, 3, 16.8, 0)).toEqual(middleWindow(15, 3));
    expect(aroundWindow(8, 5, 0)).toEqual({ start: 0, indices: [0, 1, 2, 3, 4] });
    expect(aroundWindow(8, 5, 7)).toEqual({ start: 5, indices: [5, 6, 7] });
    expect(aroundWindow(8, 3, 4)).toEqual({ start: 3, indices: [3, 4, 5] });
  });
});

describe('stack z-score', () => {
  it('uses one mean and population std over the whole stack', () => {
    const d = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const { mean, std } = zscoreInPlace(d);
    expect(mean).toBeCloseTo(4.5, 10);
    expect(std).toBeCloseTo(Math.sqrt(5.25), 10);
    const m = d.reduce((a, v) => a + v, 0) / d.length;
    const s = Math.sqrt(d.reduce((a, v) => a + (v - m) ** 2, 0) / d.length);
    expect(m).toBeCloseTo(0, 6);
    expect(s).toBeCloseTo(1, 6);
    expect(d[0]).toBeCloseTo(-3.5 / Math.sqrt(5.25), 6);
  });

  it("leaves a stack whose std is exactly 0 as it is (the seed's `if x.std() != 0`)", () => {
    const d = new Float32Array(10).fill(7);
    zscoreInPlace(d);
    expect(Array.from(d)).toEqual(new Array(10).fill(7));
    const z = new Float32Array(10);
    zscoreInPlace(z);
    expect(Array.from(z)).toEqual(new Array(10).fill(0));
  });

  it('normalises only the given range', () => {
    const d = Float32Array.from([100, 1, 3, 100]);
    zscoreInPlace(d, 1, 2);
    expect(Array.from(d)).toEqual([100, -1, 1, 100]);
  });
});

describe('heatmap peak', () => {
  const gaussian = (rows: number, cols: number, cx: number, cy: number, sigma: number) => {
    const d = new Float32Array(rows * cols);
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < cols; x++) d[y * cols + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
    return d;
  };

  it('finds the argmax and refines it to sub-pixel precision', () => {
    const d = gaussian(32, 40, 17.3, 9.8, 3);
    expect(heatmapPeak(d, 0, 32, 40, false)).toMatchObject({ x: 17, y: 10 });
    const refined = heatmapPeak(d, 0, 32, 40, true);
    expect(Math.abs(refined.x - 17.3)).toBeLessThan(0.05);
    expect(Math.abs(refined.y - 9.8)).toBeLessThan(0.05);
    expect(refined.value).toBeGreaterThan(0.9);
  });

  it('reads the plane at an offset and does not refine at the border', () => {
    const plane = gaussian(8, 8, 0, 3, 1);
    const d = new Float32Array(64 * 2);
    d.set(plane, 64);
    const p = heatmapPeak(d, 64, 8, 8, true);
    expect(p.x).toBe(0);
    expect(p.y).toBeCloseTo(3, 5);
  });
});
