// Display windows: the DICOM linear VOI function, percentile windows that ignore outliers, and which window wins.
import { describe, expect, it } from 'vitest';
import { applyWindow, percentileWindow, resolveWindow } from '../../../src/services/render/index.js';

describe('applyWindow (DICOM PS3.3 C.11.2.1.2 linear function)', () => {
  it('maps the standard CT soft-tissue window by the formula', () => {
    // centre 40, width 400: x <= -159.5 -> 0, x > 239.5 -> 255, else ((x - 39.5) / 399 + 0.5) * 255.
    const values = Float32Array.of(-1000, -159.5, -159, 39.5, 100, 239.5, 240, 3000);
    const expected = [-1000, -159.5, -159, 39.5, 100, 239.5, 240, 3000].map((x) =>
      x <= -159.5 ? 0 : x > 239.5 ? 255 : Math.round(((x - 39.5) / 399 + 0.5) * 255),
    );
    expect(Array.from(applyWindow(values, { centre: 40, width: 400 }))).toEqual(expected);
    expect(expected).toEqual([0, 0, 1, 128, 166, 255, 255, 255]);
  });

  it('treats width 1 as a threshold at the centre', () => {
    expect(Array.from(applyWindow(Float32Array.of(9, 9.99, 10, 11), { centre: 10, width: 1 }))).toEqual([0, 0, 255, 255]);
  });
});

describe('percentileWindow', () => {
  it('spans percentiles 1 to 99 (nearest rank) and maps them to black and white', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => 999 - i); // order must not matter
    const w = percentileWindow(values);
    const grey = applyWindow(Float32Array.of(8, 9, 499, 989, 990), w);
    // p1 = the 10th smallest = 9, p99 = the 990th smallest = 989.
    expect(Array.from(grey)).toEqual([0, 0, Math.round(((499 - 9) / 980) * 255), 255, 255]);
  });

  it('is not stretched by a few extreme pixels', () => {
    // 100 of each value 100..199, plus two extreme pixels that a min-max window would stretch to.
    const values = Float32Array.from([...Array.from({ length: 10_000 }, (_, i) => 100 + (i % 100)), 1e6, -1e6]);
    const w = percentileWindow(values);
    const black = w.centre - 0.5 - (w.width - 1) / 2;
    const white = w.centre - 0.5 + (w.width - 1) / 2;
    // Ranks ceil(0.01 * 10002) = 101 and ceil(0.99 * 10002) = 9902: the body's own range, outliers ignored.
    expect(black).toBe(100);
    expect(white).toBe(199);
  });

  it('gives a flat frame a valid window centred on its value', () => {
    expect(percentileWindow(new Float32Array(16).fill(42))).toEqual({ centre: 42, width: 1 });
  });
});

describe('resolveWindow', () => {
  const frame = { rows: 1, columns: 4, pixels: Float32Array.of(0, 10, 20, 30) };
  it("uses the file's window for `dicom` and percentiles when the file has none", () => {
    expect(resolveWindow(frame, { kind: 'dicom' }, { centre: 500, width: 1000 })).toEqual({ centre: 500, width: 1000, source: 'dicom' });
    expect(resolveWindow(frame, { kind: 'dicom' }, undefined).source).toBe('percentile');
  });
  it('uses percentiles for `auto` even when the file has a window, and an explicit window as given', () => {
    expect(resolveWindow(frame, { kind: 'auto' }, { centre: 500, width: 1000 })).toEqual({ centre: 15.5, width: 31, source: 'percentile' });
    expect(resolveWindow(frame, { kind: 'explicit', window: { centre: 1, width: 2 } }, undefined)).toEqual({
      centre: 1,
      width: 2,
      source: 'explicit',
    });
  });
});
