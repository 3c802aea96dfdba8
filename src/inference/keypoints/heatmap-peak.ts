// The keypoint of one heatmap: its argmax, optionally refined to sub-pixel precision.

export interface HeatmapPeak {
  /** Column and row in the heatmap's own pixel grid (sub-pixel when refined). */
  readonly x: number;
  readonly y: number;
  /** The heatmap's maximum: the models are trained on unit-height Gaussians, so ~1 means a confident peak. */
  readonly value: number;
}

/**
 * Argmax of the rows x cols plane at `data[offset...]`; the first maximum in row-major order wins ties.
 * With `refine`, each axis gets a parabola through the peak and its two neighbours (vertex offset limited to
 * half a pixel, none where the neighbours do not bend down), which removes most of the grid quantisation.
 */
export function heatmapPeak(data: Float32Array, offset: number, rows: number, cols: number, refine: boolean): HeatmapPeak {
  let best = offset;
  let value = data[offset];
  const end = offset + rows * cols;
  for (let i = offset + 1; i < end; i++) {
    const v = data[i];
    if (v > value) {
      value = v;
      best = i;
    }
  }
  const idx = best - offset;
  const px = idx % cols;
  const py = (idx - px) / cols;
  if (!refine) return { x: px, y: py, value };
  const dx = px > 0 && px < cols - 1 ? vertex(data[best - 1], value, data[best + 1]) : 0;
  const dy = py > 0 && py < rows - 1 ? vertex(data[best - cols], value, data[best + cols]) : 0;
  return { x: px + dx, y: py + dy, value };
}

function vertex(left: number, centre: number, right: number): number {
  const curvature = left - 2 * centre + right;
  if (!(curvature < 0)) return 0;
  const d = (left - right) / (2 * curvature);
  return Math.max(-0.5, Math.min(0.5, d));
}
