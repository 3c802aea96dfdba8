// Which k of a stack's n slices feed a model (indices into a stack ordered by orderStack).

export interface SliceWindow {
  /** Stack indices, ascending; shorter than k only when the stack has fewer than k slices (the rest is zero). */
  readonly indices: readonly number[];
  /** The slice a keypoint found on this window lies on: the middle channel, or the slice the window was built around. */
  readonly centre: number;
}

function windowFrom(start: number, n: number, k: number): SliceWindow {
  // Clamped so the window stays inside the stack (the reference clamps only the start and zero-fills the rest;
  // shifting inwards keeps k real slices, and training uses this same function).
  const s = Math.min(Math.max(start, 0), Math.max(n - k, 0));
  const indices: number[] = [];
  for (let i = s; i < Math.min(s + k, n); i++) indices.push(i);
  return { indices, centre: indices[Math.min(k >> 1, indices.length - 1)] ?? 0 };
}

/** The middle k slices: start = floor((n - k) / 2), as the reference does for Sag T2. */
export function middleWindow(n: number, k: number): SliceWindow {
  return windowFrom(Math.floor((n - k) / 2), n, k);
}

/**
 * k slices centred `offsetMm` from the stack middle (positive = increasing index = patient left for sagittal
 * stacks): start = ceil(offsetMm / spacing + n/2 - 1 - k/2), the reference's formula verbatim. Without a usable
 * spacing the reference falls back to the middle window, and so does this.
 */
export function offsetWindow(n: number, k: number, offsetMm: number, spacingMm: number): SliceWindow {
  if (!(spacingMm > 0) || !Number.isFinite(spacingMm)) return middleWindow(n, k);
  return windowFrom(Math.ceil(offsetMm / spacingMm + n / 2 - 1 - k / 2), n, k);
}

/** k slices around slice `centre`: start = centre - floor(k / 2); `centre` stays the focus even when clamped. */
export function aroundWindow(n: number, k: number, centre: number): SliceWindow {
  return { indices: windowFrom(centre - (k >> 1), n, k).indices, centre: Math.min(Math.max(centre, 0), n - 1) };
}
