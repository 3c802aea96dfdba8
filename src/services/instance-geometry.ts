// An Instance row's stored geometry (its arrays as the database returns them) as a SliceGeometry. One reading for
// every caller: import orders slices into stacks with it, the pipeline's inputs carry it, keypoints are placed by it.
import type { SliceGeometry } from '../domain/image.js';

/** The columns of "Instance" that describe its plane; arrays are empty where the file had no such attribute. */
export interface StoredGeometry {
  readonly rows: number;
  readonly columns: number;
  readonly pixelSpacing: readonly number[];
  readonly imagePositionPatient: readonly number[];
  readonly imageOrientationPatient: readonly number[];
}

/** The plane of an instance, or null when the file had no complete patient geometry. */
export function geometryOf(r: StoredGeometry): SliceGeometry | null {
  // Number(): raw SQL may hand back numeric arrays as strings, depending on the driver.
  const ipp = r.imagePositionPatient.map(Number);
  const iop = r.imageOrientationPatient.map(Number);
  const ps = r.pixelSpacing.map(Number);
  if (ipp.length !== 3 || iop.length !== 6 || ps.length !== 2) return null;
  return {
    rows: r.rows,
    columns: r.columns,
    pixelSpacing: [ps[0], ps[1]],
    imagePositionPatient: [ipp[0], ipp[1], ipp[2]],
    imageOrientationPatient: [iop[0], iop[1], iop[2], iop[3], iop[4], iop[5]],
  };
}
