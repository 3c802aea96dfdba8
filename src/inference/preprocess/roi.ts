// Where a model tensor samples its source slice: the whole slice resized, or the seed's integer ROI box cut out
// and resized (rsna2024/data_loader/datasets.py, get_roi).
import { resizeAxis, type PixelMap, type PixelPoint } from './pixel-map.js';

export interface SourceGrid {
  readonly rows: number;
  readonly columns: number;
  /** DICOM PixelSpacing: [between rows (y), between columns (x)], mm. */
  readonly pixelSpacing: readonly [number, number];
}

/** The whole slice resized to rows x cols (aspect ratio not kept), as cv2.resize(img, (cols, rows)) samples it. */
export function fullSliceMap(grid: { readonly rows: number; readonly columns: number }, rows: number, cols: number): PixelMap {
  return { x: resizeAxis(grid.columns, cols), y: resizeAxis(grid.rows, rows) };
}

/** Python 3's round() of a float: to the nearest integer, halves to the even one. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Pixel box [x1, x2) x [y1, y2) of the source slice. */
export interface RoiBox {
  readonly x1: number;
  readonly x2: number;
  readonly y1: number;
  readonly y2: number;
}

/**
 * The seed's box: size = roiMm / PixelSpacing per axis, x1 = round(x - size/2), x2 = round(x + size/2) (Python
 * rounding), around `centre` in source pixels (the seed's x_norm * columns of the window's first slice).
 */
export function seedRoiBox(centre: PixelPoint, pixelSpacing: readonly [number, number], roiMm: number): RoiBox {
  const sizeX = roiMm / pixelSpacing[1];
  const sizeY = roiMm / pixelSpacing[0];
  return {
    x1: roundHalfEven(centre.x - sizeX / 2),
    x2: roundHalfEven(centre.x + sizeX / 2),
    y1: roundHalfEven(centre.y - sizeY / 2),
    y2: roundHalfEven(centre.y + sizeY / 2),
  };
}

/** The seed keeps a box only when it lies inside the image; otherwise its ROI stops there and stays zero. */
export function boxInside(box: RoiBox, grid: { readonly rows: number; readonly columns: number }): boolean {
  return !(box.x1 < 0 || box.x2 > grid.columns || box.y1 < 0 || box.y2 > grid.rows);
}

/**
 * The cut-out resized to rows x cols (cv2.resize of img[y1:y2, x1:x2]): the map is in the cut-out's own pixel
 * grid, whose edge pixels repeat past its border. `mirror` flips the result left-right (np.flip(roi, axis=1)).
 */
export function cutOutMap(box: RoiBox, rows: number, cols: number, mirror: boolean): PixelMap {
  const x = resizeAxis(box.x2 - box.x1, cols);
  return {
    x: mirror ? { offset: x.offset + x.scale * (cols - 1), scale: -x.scale } : x,
    y: resizeAxis(box.y2 - box.y1, rows),
  };
}
