// Series -> stacks, against hand-built slice sets whose order, split and spacing are known by construction.

import { describe, expect, it } from 'vitest';
import type { SliceGeometry, Vec3 } from '../../../src/domain/image.js';
import { createSliceGeometry, hasGeometry, nearestSlice, orderIntoStacks, parseDicom, sliceNormal } from '../../../src/dicom/index.js';
import { mrImage, words, writeDicom } from './dicom-writer.js';

interface Slice {
  readonly name: string;
  readonly geometry: SliceGeometry;
  readonly spacingBetweenSlices?: number;
}

const deg = (d: number): number => (d * Math.PI) / 180;
const tiltedAxialIop = (angle: number): number[] => [1, 0, 0, 0, Math.cos(deg(angle)), Math.sin(deg(angle))];

function slice(name: string, iop: number[], ipp: Vec3, spacingBetweenSlices?: number): Slice {
  const geometry = createSliceGeometry({
    rows: 64,
    columns: 64,
    pixelSpacing: [0.5, 0.5],
    imagePositionPatient: ipp,
    imageOrientationPatient: iop,
  });
  if (!geometry) throw new Error('bad test geometry');
  return { name, geometry, spacingBetweenSlices };
}

/** `count` slices of a stack whose origins step `spacing` mm along the normal of `iop`, starting at `origin`. */
function stack(prefix: string, iop: number[], origin: Vec3, count: number, spacing: number, declared?: number): Slice[] {
  const n = sliceNormal(slice('probe', iop, [0, 0, 0]).geometry);
  return Array.from({ length: count }, (_, k) =>
    slice(`${prefix}${k}`, iop, [origin[0] + k * spacing * n[0], origin[1] + k * spacing * n[1], origin[2] + k * spacing * n[2]], declared),
  );
}

const names = (items: readonly Slice[]): string[] => items.map((s) => s.name);

function shuffled<T>(items: readonly T[]): T[] {
  // A fixed permutation: deterministic, and far from both input and sorted order.
  const order = [3, 0, 4, 1, 5, 2, 7, 6];
  return order
    .filter((k) => k < items.length)
    .map((k) => items[k])
    .concat(items.slice(order.length));
}

describe('orderIntoStacks', () => {
  const sagittal = [0, 1, 0, 0, 0, -1]; // normal (-1, 0, 0): ascending position runs patient left -> right

  it('orders a sagittal stack by position along its normal, whatever the input order', () => {
    // Origins at x = 10, 6, 2, -2, -6: positions along (-1,0,0) are -10, -6, -2, 2, 6.
    const slices = [10, 6, 2, -2, -6].map((x, k) => slice(`s${k}`, sagittal, [x, -100, 100], 4));
    for (const input of [slices, [...slices].reverse(), shuffled(slices)]) {
      const [s, ...rest] = orderIntoStacks(input);
      expect(rest).toHaveLength(0);
      expect(names(s.items)).toEqual(['s0', 's1', 's2', 's3', 's4']);
      expect(s.positionsMm.map((p) => +p.toFixed(9))).toEqual([-10, -6, -2, 2, 6]);
      expect(s.spacingMm).toBeCloseTo(4, 12);
      expect(s.orientation).toBe('SAGITTAL');
      expect(s.warnings).toEqual([]);
    }
  });

  it('orders a reversed stack (rows flipped, so the normal points the other way) along its own normal', () => {
    // Row (0,-1,0), column (0,0,-1): normal (1,0,0), positions = x; ascending x = -6 .. 10.
    const slices = [10, 6, 2, -2, -6].map((x, i) => slice(`r${i}`, [0, -1, 0, 0, 0, -1], [x, -100, 100]));
    const [s] = orderIntoStacks(slices);
    expect(names(s.items)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect(s.normal.map((c) => +c.toFixed(12))).toEqual([1, 0, 0]);
  });

  it('splits an axial series into its tilted per-disc stacks', () => {
    const upper = stack('L3-', tiltedAxialIop(10), [0, 0, 0], 4, 4, 4);
    const lower = stack('L5-', tiltedAxialIop(-15), [0, 10, -40], 4, 4, 4);
    const mixed = [upper[2], lower[1], upper[0], lower[3], upper[3], lower[0], upper[1], lower[2]];
    const stacks = orderIntoStacks(mixed);
    expect(stacks).toHaveLength(2);
    // Ordered between them by centre along the first stack's normal: the lower (caudal) stack first.
    expect(names(stacks[0].items)).toEqual(['L5-0', 'L5-1', 'L5-2', 'L5-3']);
    expect(names(stacks[1].items)).toEqual(['L3-0', 'L3-1', 'L3-2', 'L3-3']);
    for (const s of stacks) {
      expect(s.orientation).toBe('AXIAL');
      expect(s.spacingMm).toBeCloseTo(4, 9);
      expect(s.warnings).toEqual([]);
    }
  });

  it('keeps slices a degree apart together and splits them at a larger tilt', () => {
    const a = slice('a', tiltedAxialIop(0), [0, 0, 0]);
    const b = slice('b', tiltedAxialIop(1), [0, 0, 4]);
    expect(orderIntoStacks([a, b])).toHaveLength(1);
    expect(orderIntoStacks([a, b], { maxNormalAngleDeg: 0.5 })).toHaveLength(2);
  });

  it('separates a repeated stack (same positions twice) into two stacks', () => {
    const first = stack('a', [1, 0, 0, 0, 1, 0], [0, 0, 0], 3, 5);
    const second = stack('b', [1, 0, 0, 0, 1, 0], [0, 0, 0], 3, 5);
    const stacks = orderIntoStacks([...first, ...second]);
    expect(stacks.map((s) => names(s.items))).toEqual([
      ['a0', 'a1', 'a2'],
      ['b0', 'b1', 'b2'],
    ]);
  });

  it('splits a stack where positions jump', () => {
    const slices = [0, 4, 8, 12, 60, 64, 68].map((z) => slice(`z${z}`, [1, 0, 0, 0, 1, 0], [0, 0, z]));
    const stacks = orderIntoStacks(shuffled(slices));
    expect(stacks.map((s) => names(s.items))).toEqual([
      ['z0', 'z4', 'z8', 'z12'],
      ['z60', 'z64', 'z68'],
    ]);
  });

  it('warns when SpacingBetweenSlices disagrees with the positions, and when gaps are irregular', () => {
    const declaredWrong = stack('w', [1, 0, 0, 0, 1, 0], [0, 0, 0], 4, 4, 5);
    const [s] = orderIntoStacks(declaredWrong);
    expect(s.spacingMm).toBeCloseTo(4, 12);
    expect(s.warnings).toEqual(['SpacingBetweenSlices says 5.00 mm, positions along the normal are 4.00 mm apart']);

    const irregular = [0, 4, 8, 13, 17].map((z) => slice(`i${z}`, [1, 0, 0, 0, 1, 0], [0, 0, z], 4));
    const [t] = orderIntoStacks(irregular);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/irregular slice spacing: gaps from 4.00 to 5.00 mm/);
  });

  it('handles a single slice and an empty series', () => {
    const [one] = orderIntoStacks([slice('only', [1, 0, 0, 0, 1, 0], [0, 0, 0])]);
    expect(one.spacingMm).toBeUndefined();
    expect(one.warnings).toEqual([]);
    expect(orderIntoStacks([])).toEqual([]);
  });

  it('works on parsed instances narrowed with hasGeometry', () => {
    const instances = [30, 10, 20].map((z, k) =>
      parseDicom(
        writeDicom(
          mrImage({
            rows: 2,
            columns: 2,
            pixelData: words([0, 0, 0, 0]),
            extra: [
              [0x00080018, 'UI', `1.2.3.${k}`],
              [0x00200032, 'DS', `0\\0\\${z}`],
              [0x00200037, 'DS', '1\\0\\0\\0\\1\\0'],
              [0x00280030, 'DS', '0.5\\0.5'],
              [0x00180088, 'DS', '10'],
            ],
          }),
        ),
      ),
    );
    const [s] = orderIntoStacks(instances.filter(hasGeometry));
    expect(s.items.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1', '1.2.3.2', '1.2.3.0']);
    expect(s.spacingMm).toBe(10);
    expect(s.warnings).toEqual([]);
  });
});

describe('nearestSlice', () => {
  it('finds the slice closest to a point, with the distance and the projected pixel', () => {
    const slices = [0, 4, 8, 12].map((z) => slice(`z${z}`, [1, 0, 0, 0, 1, 0], [-16, -16, z]));
    const [s] = orderIntoStacks(slices);
    const hit = nearestSlice(s, [-6, -11, 9.1]);
    expect(hit?.index).toBe(2);
    expect(hit?.item.name).toBe('z8');
    expect(hit?.distanceMm).toBeCloseTo(1.1, 9);
    expect(hit?.x).toBeCloseTo(20, 9); // (-6 - -16) / 0.5
    expect(hit?.y).toBeCloseTo(10, 9);
  });

  it('measures the distance to each tilted plane, not along the stack axis', () => {
    // A plane tilted 20 degrees through the origin: a point 10 mm above the origin is 10*cos(20) from it.
    const tilted = slice('t', tiltedAxialIop(20), [0, 0, 0]);
    const flat = slice('f', [1, 0, 0, 0, 1, 0], [0, 0, 9.6]);
    const hit = nearestSlice({ items: [tilted, flat] }, [0, 0, 10]);
    expect(hit?.item.name).toBe('f');
    expect(hit?.distanceMm).toBeCloseTo(0.4, 9);
    expect(nearestSlice({ items: [tilted] }, [0, 0, 10])?.distanceMm).toBeCloseTo(10 * Math.cos(deg(20)), 9);
    expect(nearestSlice({ items: [] }, [0, 0, 0])).toBeUndefined();
  });
});
