// Pixel <-> patient (DICOM LPS, mm) mapping of one image plane.
//
// Convention: x is the column index (0 at the first transmitted pixel, increasing along the row direction cosine),
// y the row index (increasing along the column direction cosine). Pixel centres sit on integer coordinates.
//   P(x, y) = IPP + x * PixelSpacing[1] * rowCos + y * PixelSpacing[0] * colCos
// The affine's third axis is the unit slice normal, so the third pixel-space coordinate is the signed distance in
// mm from the plane; that makes the 4x4 invertible and gives patientToPixel its off-plane distance for free.

import type { SliceGeometry, Vec3 } from '../domain/image.js';
import { cross, dot, normalize, norm, scale } from './vec3.js';

/** Row-major 4x4 homogeneous matrices. */
export interface SliceAffine {
  /** (x, y, d, 1) -> (Lx, Py, Sz, 1), d = signed distance along the normal in mm. */
  readonly pixelToPatient: Float64Array;
  readonly patientToPixel: Float64Array;
}

export interface PlaneProjection {
  /** Column coordinate (pixels, may be fractional or outside the image). */
  readonly x: number;
  /** Row coordinate. */
  readonly y: number;
  /** Unsigned distance of the point from the image plane, mm. */
  readonly distanceMm: number;
  /** Signed distance along sliceNormal(geom): positive on the side the normal points to. */
  readonly signedDistanceMm: number;
}

/** Largest |row . col| accepted for direction cosines that should be orthogonal (about 0.6 degrees). */
const ORTHOGONALITY_TOLERANCE = 0.01;

/**
 * Builds a SliceGeometry from raw DICOM attributes, or undefined when they cannot describe a plane (missing,
 * zero-length or non-orthogonal direction cosines, non-positive spacing). Direction cosines are normalised, since
 * files often store them rounded to 4-6 digits.
 */
export function createSliceGeometry(attrs: {
  rows: number | undefined;
  columns: number | undefined;
  pixelSpacing: readonly [number, number] | undefined;
  imagePositionPatient: Vec3 | undefined;
  imageOrientationPatient: readonly number[] | undefined;
}): SliceGeometry | undefined {
  const { rows, columns, pixelSpacing, imagePositionPatient, imageOrientationPatient: iop } = attrs;
  if (!rows || !columns || !pixelSpacing || !imagePositionPatient || !iop || iop.length !== 6) return undefined;
  if (!(pixelSpacing[0] > 0 && pixelSpacing[1] > 0)) return undefined;
  const r: Vec3 = [iop[0], iop[1], iop[2]];
  const c: Vec3 = [iop[3], iop[4], iop[5]];
  if (!(norm(r) > 0.5 && norm(c) > 0.5)) return undefined;
  const rowCos = normalize(r);
  const colCos = normalize(c);
  if (Math.abs(dot(rowCos, colCos)) > ORTHOGONALITY_TOLERANCE) return undefined;
  return {
    rows,
    columns,
    pixelSpacing: [pixelSpacing[0], pixelSpacing[1]],
    imagePositionPatient: [imagePositionPatient[0], imagePositionPatient[1], imagePositionPatient[2]],
    imageOrientationPatient: [rowCos[0], rowCos[1], rowCos[2], colCos[0], colCos[1], colCos[2]],
  };
}

export const rowDirection = (g: SliceGeometry): Vec3 =>
  normalize([g.imageOrientationPatient[0], g.imageOrientationPatient[1], g.imageOrientationPatient[2]]);
export const columnDirection = (g: SliceGeometry): Vec3 =>
  normalize([g.imageOrientationPatient[3], g.imageOrientationPatient[4], g.imageOrientationPatient[5]]);

/** Unit normal of the image plane: row direction x column direction. */
export function sliceNormal(g: SliceGeometry): Vec3 {
  return normalize(cross(rowDirection(g), columnDirection(g)));
}

/** Position of the plane along its own normal, mm: dot(IPP, normal). */
export function slicePosition(g: SliceGeometry): number {
  return dot(g.imagePositionPatient, sliceNormal(g));
}

/** Position of the plane along a given (unit) direction, e.g. a stack's common normal. */
export function positionAlong(g: SliceGeometry, direction: Vec3): number {
  return dot(g.imagePositionPatient, direction);
}

const affineCache = new WeakMap<SliceGeometry, SliceAffine>();

export function sliceAffine(g: SliceGeometry): SliceAffine {
  const cached = affineCache.get(g);
  if (cached) return cached;
  const a = scale(rowDirection(g), g.pixelSpacing[1]);
  const b = scale(columnDirection(g), g.pixelSpacing[0]);
  const n = sliceNormal(g);
  const t = g.imagePositionPatient;
  // prettier-ignore
  const forward = Float64Array.from([
    a[0], b[0], n[0], t[0],
    a[1], b[1], n[1], t[1],
    a[2], b[2], n[2], t[2],
    0, 0, 0, 1,
  ]);
  const affine = { pixelToPatient: forward, patientToPixel: invertAffine(forward) };
  affineCache.set(g, affine);
  return affine;
}

/** Inverse of a row-major 4x4 affine [M t; 0 1]: [M^-1, -M^-1 t; 0 1], M^-1 by the adjugate. */
function invertAffine(m: Float64Array): Float64Array {
  const [a, b, c] = [m[0], m[1], m[2]];
  const [d, e, f] = [m[4], m[5], m[6]];
  const [g, h, i] = [m[8], m[9], m[10]];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 1e-12)) throw new RangeError('slice affine is singular');
  // prettier-ignore
  const inv = [
    A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  ];
  const [tx, ty, tz] = [m[3], m[7], m[11]];
  // prettier-ignore
  return Float64Array.from([
    inv[0], inv[1], inv[2], -(inv[0] * tx + inv[1] * ty + inv[2] * tz),
    inv[3], inv[4], inv[5], -(inv[3] * tx + inv[4] * ty + inv[5] * tz),
    inv[6], inv[7], inv[8], -(inv[6] * tx + inv[7] * ty + inv[8] * tz),
    0, 0, 0, 1,
  ]);
}

/** Patient-space position (mm) of pixel (x = column, y = row); fractional coordinates interpolate linearly. */
export function pixelToPatient(g: SliceGeometry, x: number, y: number): Vec3 {
  const m = sliceAffine(g).pixelToPatient;
  return [m[0] * x + m[1] * y + m[3], m[4] * x + m[5] * y + m[7], m[8] * x + m[9] * y + m[11]];
}

/** Projects a patient-space point onto the image plane: pixel coordinates and distance off the plane. */
export function patientToPixel(g: SliceGeometry, p: Vec3): PlaneProjection {
  const m = sliceAffine(g).patientToPixel;
  const x = m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3];
  const y = m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7];
  const d = m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11];
  return { x, y, distanceMm: Math.abs(d), signedDistanceMm: d };
}

/** Patient-space centre of the image (between the middle pixels when a dimension is even). */
export function imageCentre(g: SliceGeometry): Vec3 {
  return pixelToPatient(g, (g.columns - 1) / 2, (g.rows - 1) / 2);
}
