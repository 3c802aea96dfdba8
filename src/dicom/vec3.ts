// Small 3-vector helpers over the domain's readonly tuple.

import type { Vec3 } from '../domain/image.js';

export const vec3 = (x: number, y: number, z: number): Vec3 => [x, y, z];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

export function normalize(a: Vec3): Vec3 {
  const n = norm(a);
  if (!(n > 0)) throw new RangeError('cannot normalise a zero vector');
  return scale(a, 1 / n);
}

/** Angle between two directions in degrees, ignoring sign (a normal and its opposite are the same plane). */
export function angleBetweenAxesDeg(a: Vec3, b: Vec3): number {
  const c = Math.abs(dot(a, b)) / (norm(a) * norm(b));
  return (Math.acos(Math.min(1, c)) * 180) / Math.PI;
}
