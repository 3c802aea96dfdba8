// Minimal 3-vector and rotation helpers for planning the synthetic acquisition geometry.
import type { Vec3 } from '../domain/image.js';

export type { Vec3 };
/** Row-major 3x3 matrix. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

export const add = (p: Vec3, q: Vec3): Vec3 => [p[0] + q[0], p[1] + q[1], p[2] + q[2]];
export const sub = (p: Vec3, q: Vec3): Vec3 => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
export const scale = (p: Vec3, k: number): Vec3 => [p[0] * k, p[1] * k, p[2] * k];
export const dot = (p: Vec3, q: Vec3): number => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
export const cross = (p: Vec3, q: Vec3): Vec3 => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
export const norm = (p: Vec3): number => Math.hypot(p[0], p[1], p[2]);
export const normalize = (p: Vec3): Vec3 => scale(p, 1 / norm(p));

/** The component of `p` orthogonal to the unit vector `n`, normalised. */
export const orthogonalTo = (p: Vec3, n: Vec3): Vec3 => normalize(sub(p, scale(n, dot(p, n))));

export const mulMatVec = (m: Mat3, p: Vec3): Vec3 => [
  m[0] * p[0] + m[1] * p[1] + m[2] * p[2],
  m[3] * p[0] + m[4] * p[1] + m[5] * p[2],
  m[6] * p[0] + m[7] * p[1] + m[8] * p[2],
];
export const mulTransposeVec = (m: Mat3, p: Vec3): Vec3 => [
  m[0] * p[0] + m[3] * p[1] + m[6] * p[2],
  m[1] * p[0] + m[4] * p[1] + m[7] * p[2],
  m[2] * p[0] + m[5] * p[1] + m[8] * p[2],
];
export const mulMat = (a: Mat3, b: Mat3): Mat3 => {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out.push(a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c]);
  }
  return out as unknown as Mat3;
};

const deg = Math.PI / 180;
/** Rotations by `degrees` about the patient x (left), y (posterior) and z (superior) axes. */
export const rotationX = (degrees: number): Mat3 => {
  const c = Math.cos(degrees * deg);
  const s = Math.sin(degrees * deg);
  return [1, 0, 0, 0, c, -s, 0, s, c];
};
export const rotationY = (degrees: number): Mat3 => {
  const c = Math.cos(degrees * deg);
  const s = Math.sin(degrees * deg);
  return [c, 0, s, 0, 1, 0, -s, 0, c];
};
export const rotationZ = (degrees: number): Mat3 => {
  const c = Math.cos(degrees * deg);
  const s = Math.sin(degrees * deg);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
};
