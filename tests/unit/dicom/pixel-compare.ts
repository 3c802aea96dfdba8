// Fast pixel comparisons for tests (vitest's deep equality walks typed arrays element by element and takes
// seconds on a 512x512 frame).

import { expect } from 'vitest';

/** Asserts same length and same values, naming the first differing index. */
export function expectSamePixels(actual: ArrayLike<number>, expected: ArrayLike<number>, label = 'pixels'): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) expect.fail(`${label}: first difference at index ${i}: ${actual[i]} != ${expected[i]}`);
  }
}

export function pixelsDiffer(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

export function differences(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number; meanSigned: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i] - a[i];
    max = Math.max(max, Math.abs(d));
    sum += Math.abs(d);
    signed += d;
  }
  return { max, mean: sum / a.length, meanSigned: signed / a.length };
}

export const sum = (values: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
};

export function minMax(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  return { min, max };
}
