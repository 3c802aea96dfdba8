// Percentiles with numpy's default ('linear', type 7 of Hyndman & Fan): h = (n - 1) q, interpolated between the
// order statistics around h.
export function percentileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // numpy's _lerp: the same formula from the nearer end, so equal ends give that value exactly.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}
