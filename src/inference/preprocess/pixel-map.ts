// Affine maps from a model tensor's pixel grid back to a source image's pixel grid, one per axis.
// Every resample records one, so a coordinate found in a tensor maps back to source pixels (and then to mm).

/** A point in an image's pixel grid: x = column, y = row, pixel centres on integers. */
export interface PixelPoint {
  readonly x: number;
  readonly y: number;
}

/** source = offset + scale * target. A negative scale is a mirror. */
export interface AxisMap {
  readonly offset: number;
  readonly scale: number;
}

export interface PixelMap {
  readonly x: AxisMap;
  readonly y: AxisMap;
}

export const applyAxis = (m: AxisMap, t: number): number => m.offset + m.scale * t;
export const invertAxis = (m: AxisMap, s: number): number => (s - m.offset) / m.scale;

/** `outer` maps B -> A and `inner` maps C -> B: the result maps C -> A. */
export function composeAxis(outer: AxisMap, inner: AxisMap): AxisMap {
  return { offset: outer.offset + outer.scale * inner.offset, scale: outer.scale * inner.scale };
}

export function toSource(map: PixelMap, p: PixelPoint): PixelPoint {
  return { x: applyAxis(map.x, p.x), y: applyAxis(map.y, p.y) };
}

export function toTarget(map: PixelMap, p: PixelPoint): PixelPoint {
  return { x: invertAxis(map.x, p.x), y: invertAxis(map.y, p.y) };
}

/**
 * Resizing `sourceLength` pixels to `targetLength` with pixel centres aligned the way OpenCV's resize aligns
 * them (the two grids span the same extent): source = (target + 0.5) * s - 0.5, s = sourceLength / targetLength.
 */
export function resizeAxis(sourceLength: number, targetLength: number): AxisMap {
  const s = sourceLength / targetLength;
  return { offset: 0.5 * s - 0.5, scale: s };
}
