// Pixel <-> patient mapping of one slice (DICOM conventions: PixelSpacing = [row spacing, column spacing];
// column index x runs along the row cosine, row index y along the column cosine).
import type { SliceGeometry } from '../domain/image.js';
import { cross, dot, sub, type Vec3 } from './vec.js';

export function rowCosine(g: SliceGeometry): Vec3 {
  const o = g.imageOrientationPatient;
  return [o[0], o[1], o[2]];
}
export function columnCosine(g: SliceGeometry): Vec3 {
  const o = g.imageOrientationPatient;
  return [o[3], o[4], o[5]];
}
export function sliceNormal(g: SliceGeometry): Vec3 {
  return cross(rowCosine(g), columnCosine(g));
}

/** Patient position of pixel (x = column, y = row), centre-of-pixel convention. */
export function pixelToPatient(g: SliceGeometry, x: number, y: number): Vec3 {
  const r = rowCosine(g);
  const c = columnCosine(g);
  const p = g.imagePositionPatient;
  const dx = x * g.pixelSpacing[1];
  const dy = y * g.pixelSpacing[0];
  return [p[0] + dx * r[0] + dy * c[0], p[1] + dx * r[1] + dy * c[1], p[2] + dx * r[2] + dy * c[2]];
}

export interface Projection {
  readonly x: number;
  readonly y: number;
  /** Signed distance of the point from the slice plane along the normal, mm. */
  readonly distance: number;
}

/** Where a patient point falls in a slice's pixel grid, and how far it lies from the slice plane. */
export function projectToSlice(g: SliceGeometry, p: Vec3): Projection {
  const d = sub(p, g.imagePositionPatient);
  return {
    x: dot(d, rowCosine(g)) / g.pixelSpacing[1],
    y: dot(d, columnCosine(g)) / g.pixelSpacing[0],
    distance: dot(d, sliceNormal(g)),
  };
}
