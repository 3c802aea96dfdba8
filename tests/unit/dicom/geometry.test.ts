// Plane geometry against hand-computed cases (axial, sagittal, tilted) and seeded random round trips.

import { describe, expect, it } from 'vitest';
import type { SliceGeometry, Vec3 } from '../../../src/domain/image.js';
import {
  classifyOrientation,
  createSliceGeometry,
  patientToPixel,
  pixelToPatient,
  sliceAffine,
  sliceNormal,
  slicePosition,
} from '../../../src/dicom/index.js';

const deg = (d: number): number => (d * Math.PI) / 180;

function geometry(iop: number[], ipp: Vec3, pixelSpacing: [number, number] = [1, 1], size = 256): SliceGeometry {
  const g = createSliceGeometry({ rows: size, columns: size, pixelSpacing, imagePositionPatient: ipp, imageOrientationPatient: iop });
  if (!g) throw new Error('invalid test geometry');
  return g;
}

function expectVec(actual: readonly number[], expected: readonly number[], digits = 9): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));
}

/** Axial plane tilted by `angle` about the left-right axis (how lumbar axial stacks follow a disc). */
const tiltedAxialIop = (angle: number): number[] => [1, 0, 0, 0, Math.cos(deg(angle)), Math.sin(deg(angle))];

describe('pixel <-> patient, hand-computed', () => {
  it('axial: x along +L with column spacing, y along +P with row spacing', () => {
    const g = geometry([1, 0, 0, 0, 1, 0], [-100, -120, 50], [0.5, 0.8]);
    expectVec(pixelToPatient(g, 10, 20), [-100 + 10 * 0.8, -120 + 20 * 0.5, 50]);
    expectVec(pixelToPatient(g, 0, 0), [-100, -120, 50]);
    expectVec(sliceNormal(g), [0, 0, 1]);
    expect(slicePosition(g)).toBeCloseTo(50, 12);
    const p = patientToPixel(g, [-92, -110, 53]);
    expect(p.x).toBeCloseTo(10, 9);
    expect(p.y).toBeCloseTo(20, 9);
    expect(p.distanceMm).toBeCloseTo(3, 9);
    expect(p.signedDistanceMm).toBeCloseTo(3, 9);
    expect(patientToPixel(g, [-92, -110, 46]).signedDistanceMm).toBeCloseTo(-4, 9);
  });

  it('sagittal: rows run posterior, columns inferior, normal points to patient right', () => {
    const g = geometry([0, 1, 0, 0, 0, -1], [20, -100, 100], [0.6, 0.7]);
    expectVec(pixelToPatient(g, 5, 10), [20, -100 + 5 * 0.7, 100 - 10 * 0.6]);
    expectVec(sliceNormal(g), [-1, 0, 0]); // (0,1,0) x (0,0,-1)
    expect(slicePosition(g)).toBeCloseTo(-20, 12);
    expect(classifyOrientation(g.imageOrientationPatient)).toBe('SAGITTAL');
  });

  it('tilted axial (30 degrees): pixel positions, normal, off-plane distance', () => {
    const c = Math.cos(deg(30));
    const s = Math.sin(deg(30));
    const g = geometry(tiltedAxialIop(30), [0, 0, 0], [0.5, 1.0]);
    expectVec(pixelToPatient(g, 4, 6), [4, 6 * 0.5 * c, 6 * 0.5 * s]);
    expectVec(sliceNormal(g), [0, -s, c]); // (1,0,0) x (0,c,s)
    const onPlane = pixelToPatient(g, 4, 6);
    const off: Vec3 = [onPlane[0], onPlane[1] - 2 * s, onPlane[2] + 2 * c];
    const p = patientToPixel(g, off);
    expect(p.x).toBeCloseTo(4, 9);
    expect(p.y).toBeCloseTo(6, 9);
    expect(p.signedDistanceMm).toBeCloseTo(2, 9);
  });

  it('the 4x4 affine and its inverse multiply to the identity', () => {
    const a = sliceAffine(geometry(tiltedAxialIop(17), [12.5, -40, 88], [0.43, 0.71]));
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let v = 0;
        for (let k = 0; k < 4; k++) v += a.pixelToPatient[r * 4 + k] * a.patientToPixel[k * 4 + c];
        expect(v).toBeCloseTo(r === c ? 1 : 0, 12);
      }
    }
  });
});

describe('round trips on random oblique planes', () => {
  // mulberry32: a seeded generator so a failure reproduces.
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('pixel -> patient -> pixel within 1e-6 mm, and patient -> pixel -> patient too', () => {
    const rand = random(20241);
    const r = (lo: number, hi: number): number => lo + (hi - lo) * rand();
    for (let trial = 0; trial < 200; trial++) {
      const u: Vec3 = [r(-1, 1), r(-1, 1), r(-1, 1)];
      const w0: Vec3 = [r(-1, 1), r(-1, 1), r(-1, 1)];
      const un = Math.hypot(...u);
      const row: Vec3 = [u[0] / un, u[1] / un, u[2] / un];
      const d = w0[0] * row[0] + w0[1] * row[1] + w0[2] * row[2];
      const v: Vec3 = [w0[0] - d * row[0], w0[1] - d * row[1], w0[2] - d * row[2]];
      const vn = Math.hypot(...v);
      const col: Vec3 = [v[0] / vn, v[1] / vn, v[2] / vn];
      const spacing: [number, number] = [r(0.2, 2), r(0.2, 2)];
      const g = geometry([...row, ...col], [r(-300, 300), r(-300, 300), r(-300, 300)], spacing, 512);
      const x = r(-50, 560);
      const y = r(-50, 560);
      const p = pixelToPatient(g, x, y);
      const back = patientToPixel(g, p);
      expect(Math.abs(back.x - x) * spacing[1]).toBeLessThan(1e-6);
      expect(Math.abs(back.y - y) * spacing[0]).toBeLessThan(1e-6);
      expect(back.distanceMm).toBeLessThan(1e-6);
      const q: Vec3 = [r(-300, 300), r(-300, 300), r(-300, 300)];
      const proj = patientToPixel(g, q);
      const onPlane = pixelToPatient(g, proj.x, proj.y);
      const n = sliceNormal(g);
      const rebuilt = onPlane.map((c, k) => c + proj.signedDistanceMm * n[k]);
      rebuilt.forEach((c, k) => expect(Math.abs(c - q[k])).toBeLessThan(1e-6));
    }
  });
});

describe('createSliceGeometry', () => {
  const base = { rows: 4, columns: 4, pixelSpacing: [1, 1] as [number, number], imagePositionPatient: [0, 0, 0] as Vec3 };

  it('normalises direction cosines stored with few digits', () => {
    const g = createSliceGeometry({ ...base, imageOrientationPatient: [1, 0, 0, 0, 0.9272, -0.3746] });
    const iop = g?.imageOrientationPatient;
    expect(iop).toBeDefined();
    expect(Math.hypot(iop![3], iop![4], iop![5])).toBeCloseTo(1, 12);
    expect(iop![4] / iop![5]).toBeCloseTo(0.9272 / -0.3746, 12); // direction kept
  });

  it('refuses what cannot describe a plane', () => {
    expect(createSliceGeometry({ ...base, imageOrientationPatient: [1, 0, 0, 0.5, 0.5, 0] })).toBeUndefined(); // not orthogonal
    expect(createSliceGeometry({ ...base, imageOrientationPatient: [0, 0, 0, 0, 1, 0] })).toBeUndefined();
    expect(createSliceGeometry({ ...base, imageOrientationPatient: undefined })).toBeUndefined();
    expect(createSliceGeometry({ ...base, pixelSpacing: [0, 1], imageOrientationPatient: [1, 0, 0, 0, 1, 0] })).toBeUndefined();
  });
});

describe('classifyOrientation', () => {
  it.each([
    [[1, 0, 0, 0, 1, 0], 'AXIAL'],
    [[1, 0, 0, 0, 0, -1], 'CORONAL'],
    [[0, 1, 0, 0, 0, -1], 'SAGITTAL'],
    [[0, -1, 0, 0, 0, -1], 'SAGITTAL'], // reversed rows: same plane, opposite normal
    [tiltedAxialIop(30), 'AXIAL'], // a disc-parallel lumbar axial stack
    [tiltedAxialIop(39), 'AXIAL'],
    [tiltedAxialIop(45), 'OBLIQUE'],
    [tiltedAxialIop(60), 'CORONAL'],
  ])('%j -> %s', (iop, expected) => {
    expect(classifyOrientation(iop)).toBe(expected);
  });

  it('takes the obliquity threshold as a parameter', () => {
    expect(classifyOrientation(tiltedAxialIop(30), 25)).toBe('OBLIQUE');
    expect(() => classifyOrientation([1, 0, 0])).toThrow(RangeError);
  });
});
