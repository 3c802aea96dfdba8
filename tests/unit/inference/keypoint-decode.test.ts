// The keypoint stage's fold mean and argmax: a one-fold role decodes its output as it is (no averaged copy), several
// folds are averaged value by value in float32 (mean += output / folds, in fold order, as before), and the argmax
// takes the first maximum in row-major order.
import { describe, expect, it } from 'vitest';
import { heatmapPeak } from '../../../src/inference/keypoints/heatmap-peak.js';
import { foldMean } from '../../../src/inference/pipeline/keypoint-stage.js';

describe('foldMean', () => {
  it('returns a single fold itself, without a copy', () => {
    const only = Float32Array.from([0.25, -1, 3]);
    expect(foldMean([only])).toBe(only);
  });

  it('averages several folds in float32, fold by fold, so the peak is the mean heatmap peak', () => {
    const a = Float32Array.from([0.1, 0.9, 0.3, 0.2, 0.7, 0.4]);
    const b = Float32Array.from([0.2, 0.1, 0.3, 0.8, 0.7, 0.5]);
    const c = Float32Array.from([1 / 3, 0.05, 0.6, 0.1, 0.25, 0.45]);
    const mean = foldMean([a, b, c]);
    const expected = new Float32Array(6);
    for (const o of [a, b, c]) for (let i = 0; i < 6; i++) expected[i] += o[i] / 3;
    expect(Array.from(mean)).toEqual(Array.from(expected));
    expect(mean).not.toBe(a);
    // Each fold alone peaks elsewhere (a at 1, b at 3, c at 2); their mean peaks at 4.
    expect(heatmapPeak(mean, 0, 2, 3, false)).toMatchObject({ x: 1, y: 1 });
    expect(Array.from(a)).toEqual(Array.from(Float32Array.from([0.1, 0.9, 0.3, 0.2, 0.7, 0.4])));
  });
});

describe('heatmapPeak', () => {
  it('takes the first of equal maxima and reads a plane at its offset', () => {
    const d = Float32Array.from([9, 9, 9, 0, 2, 5, 5, 1]);
    expect(heatmapPeak(d, 3, 1, 5, false)).toEqual({ x: 2, y: 0, value: 5 });
    expect(heatmapPeak(d, 0, 1, 3, false)).toEqual({ x: 0, y: 0, value: 9 });
    // Comparisons with NaN are false: a NaN later in the plane is passed over, a NaN first is never displaced.
    expect(heatmapPeak(Float32Array.from([1, Number.NaN, 3, 2]), 0, 2, 2, false)).toEqual({ x: 0, y: 1, value: 3 });
    expect(heatmapPeak(Float32Array.from([Number.NaN, 1, 3, 2]), 0, 2, 2, false)).toMatchObject({ x: 0, y: 0 });
  });
});
