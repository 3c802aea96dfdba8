// Where a model tensor samples its source slice: the whole slice resized, or a square patch of fixed mm size.
import { resizeAxis, type PixelMap, type PixelPoint } from './pixel-map.js';

export interface SourceGrid {
  readonly rows: number;
  readonly columns: number;
  /** DICOM PixelSpacing: [between rows (y), between columns (x)], mm. */
  readonly pixelSpacing: readonly [number, number];
}

/** The whole slice resized to rows x cols (aspect ratio not kept, as in the reference). */
export function fullSliceMap(grid: SourceGrid, rows: number, cols: number): PixelMap {
  return { x: resizeAxis(grid.columns, cols), y: resizeAxis(grid.rows, rows) };
}

export type RoiOverlap = 'inside' | 'partial' | 'outside';

export interface RoiPlacement {
  readonly map: PixelMap;
  readonly overlap: RoiOverlap;
}

/**
 * A sizeMm x sizeMm patch centred on `centre` (size in px = sizeMm / PixelSpacing per axis), sampled onto
 * rows x cols; `mirror` flips it left-right (right-side axial ROIs are mirrored so both sides look alike).
 */
export function roiPlacement(
  grid: SourceGrid,
  centre: PixelPoint,
  sizeMm: number,
  rows: number,
  cols: number,
  mirror: boolean,
): RoiPlacement {
  const widthPx = sizeMm / grid.pixelSpacing[1];
  const heightPx = sizeMm / grid.pixelSpacing[0];
  const sx = widthPx / cols;
  const sy = heightPx / rows;
  // Pixel centres are integers, so target pixel u covers [x0 + u*sx, x0 + (u+1)*sx] around x0 + (u + 0.5)*sx.
  const x0 = centre.x - widthPx / 2 + 0.5 * sx;
  const y0 = centre.y - heightPx / 2 + 0.5 * sy;
  const map: PixelMap = {
    x: mirror ? { offset: x0 + (cols - 1) * sx, scale: -sx } : { offset: x0, scale: sx },
    y: { offset: y0, scale: sy },
  };
  return { map, overlap: overlapOf(grid, centre, widthPx, heightPx) };
}

function overlapOf(grid: SourceGrid, c: PixelPoint, w: number, h: number): RoiOverlap {
  const left = c.x - w / 2;
  const right = c.x + w / 2;
  const top = c.y - h / 2;
  const bottom = c.y + h / 2;
  const minX = -0.5;
  const maxX = grid.columns - 0.5;
  const minY = -0.5;
  const maxY = grid.rows - 0.5;
  if (right <= minX || left >= maxX || bottom <= minY || top >= maxY) return 'outside';
  if (left >= minX && right <= maxX && top >= minY && bottom <= maxY) return 'inside';
  return 'partial';
}
