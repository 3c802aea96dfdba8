// Which slices of a series feed a model, exactly as the seed chooses them (rsna2024/data_loader/datasets.py,
// get_image / get_roi): a start index per selection mode, then `start = min(max(start, 0), n)`,
// `end = min(start + k, n)`; channel c holds slice start + c, and channels past `end` stay zero (at the end of the
// stack, never at its start). Indices are into a SeedSeries' `slices` (the seed's file list, direction fixed).

export interface SliceWindow {
  /** Series index of channel 0 after the seed's clamp. */
  readonly start: number;
  /** Series indices of the channels that hold a slice (channel c = start + c); the remaining channels are zero. */
  readonly indices: readonly number[];
}

export function clampedWindow(start: number, n: number, k: number): SliceWindow {
  const s = Math.min(Math.max(start, 0), n);
  const end = Math.min(s + k, n);
  const indices: number[] = [];
  for (let i = s; i < end; i++) indices.push(i);
  return { start: s, indices };
}

/** `instance_number_type='middle'`: start = (n - k) // 2 (Python floor division). */
export function middleWindow(n: number, k: number): SliceWindow {
  return clampedWindow(Math.floor((n - k) / 2), n, k);
}

/**
 * `instance_number_type='centered_mm'`: start = ceil(offsetMm / SpacingBetweenSlices + n/2 - 1 - k/2). Without a
 * usable SpacingBetweenSlices (absent, zero: the seed's `except` branch) the middle window, as the seed does.
 */
export function offsetWindow(n: number, k: number, offsetMm: number, spacingMm: number): SliceWindow {
  if (!Number.isFinite(spacingMm) || spacingMm === 0) return middleWindow(n, k);
  return clampedWindow(Math.ceil(offsetMm / spacingMm + n / 2 - 1 - k / 2), n, k);
}

/** `instance_number_type='filename'`: the window around series index `index`: start = index - k // 2. */
export function aroundWindow(n: number, k: number, index: number): SliceWindow {
  return clampedWindow(index - Math.floor(k / 2), n, k);
}
