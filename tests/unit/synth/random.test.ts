import { describe, expect, it } from 'vitest';
import { hashKey, NORMAL_TABLE, normalQuantile, Random } from '../../../src/synth/random.js';
import { deterministicUid } from '../../../src/synth/uid.js';
import { isValidUid } from '../../../src/synth/dicom-writer.js';

describe('seeded randomness', () => {
  it('repeats exactly for the same key and differs for another', () => {
    const draw = (...key: (number | string)[]): number[] => {
      const rng = new Random(...key);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(1, 'a', 7)).toEqual(draw(1, 'a', 7));
    expect(draw(1, 'a', 7)).not.toEqual(draw(2, 'a', 7));
    expect(draw(1, 'a', 7)).not.toEqual(draw(1, 'a', 8));
    // Ids beyond 2^32 still count.
    expect(hashKey(2 ** 32 + 5)).not.toBe(hashKey(5));
  });

  it('draws uniforms in range and normals with unit variance', () => {
    const rng = new Random('stats');
    let sum = 0;
    let sumSq = 0;
    const n = 200_000;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outOfRange++;
      const g = rng.gaussian();
      sum += g;
      sumSq += g * g;
    }
    expect(outOfRange).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.02);
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(3, 6);
      expect(k >= 3 && k <= 6 && Number.isInteger(k)).toBe(true);
    }
  });

  it('tabulates the normal quantiles the image noise uses', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    let mean = 0;
    let variance = 0;
    for (const v of NORMAL_TABLE) mean += v / NORMAL_TABLE.length;
    for (const v of NORMAL_TABLE) variance += (v - mean) ** 2 / NORMAL_TABLE.length;
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(variance).toBeGreaterThan(0.995);
    expect(variance).toBeLessThan(1.0);
  });

  it('makes valid, deterministic, distinct UIDs in the 2.25 arc', () => {
    const a = deterministicUid(1, 4003253, 'series', 7);
    expect(a).toBe(deterministicUid(1, 4003253, 'series', 7));
    expect(a).not.toBe(deterministicUid(1, 4003253, 'series', 8));
    expect(a.startsWith('2.25.')).toBe(true);
    expect(isValidUid(a)).toBe(true);
  });
});

describe('bulk draws', () => {
  it('fillUint32 continues the same sequence as nextUint32', () => {
    const one = new Random('bulk', 3);
    const bulk = new Random('bulk', 3);
    const expected = Array.from({ length: 10 }, () => one.nextUint32());
    const out = new Uint32Array(7);
    bulk.fillUint32(out);
    expect([...out, bulk.nextUint32(), bulk.nextUint32(), bulk.nextUint32()]).toEqual(expected);
  });
});
