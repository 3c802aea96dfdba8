// Heatmap targets of a rendered keypoint sample, in the seed's convention (rsna2024/data_loader/datasets.py,
// CoordDataset): each channel's point is the label's x_norm, y_norm (x / columns, y / rows of the labelled
// instance, preproc/normalize_coordinates.py) times the input size, whichever slice of the series it was marked on;
// the trainer draws exp(-((i - x)^2 + (j - y)^2) / (2 std^2)) on the integer pixel grid around it.
import type { Condition, Level, Side } from '../../domain/vocabulary.js';
import { LEVELS } from '../../domain/vocabulary.js';
import type { ModelRole, RenderedSample } from '../../inference/index.js';
import type { LocatedLabel } from './label-keypoints.js';

export type TargetPoint = readonly [number, number] | null;

function conditionFor(role: ModelRole, side: Side): Condition {
  if (role === 'keypoints-sagittal-t2') return 'SPINAL_CANAL_STENOSIS';
  if (role === 'keypoints-sagittal-t1') return side === 'LEFT' ? 'LEFT_NEURAL_FORAMINAL_NARROWING' : 'RIGHT_NEURAL_FORAMINAL_NARROWING';
  return side === 'LEFT' ? 'LEFT_SUBARTICULAR_STENOSIS' : 'RIGHT_SUBARTICULAR_STENOSIS';
}

/** What each heatmap of the sample locates: (condition, level) per output channel, in output order. */
export function channelTargets(role: ModelRole, rendered: RenderedSample): { condition: Condition; level: Level }[] {
  const { level, side } = rendered.sample;
  if (role === 'keypoints-axial') {
    if (!level) throw new Error('internal: an axial keypoint sample without a level');
    return (['LEFT', 'RIGHT'] as const).map((s) => ({ condition: conditionFor(role, s), level }));
  }
  return LEVELS.map((l) => ({ condition: conditionFor(role, side), level: l }));
}

/** The seed's x_norm, y_norm of a label point. */
export const labelNorm = (label: LocatedLabel): { x: number; y: number } => ({
  x: label.point.x / label.geometry.columns,
  y: label.point.y / label.geometry.rows,
});

/**
 * The sample's target points in its input grid (x_norm * width, y_norm * height), or null where the label is
 * missing. Like the seed, a label on another slice or stack of the series still gives its point.
 */
export function keypointTargets(
  role: ModelRole,
  rendered: RenderedSample,
  labels: readonly LocatedLabel[],
  size: { readonly width: number; readonly height: number },
): TargetPoint[] {
  const slot = rendered.slots[0];
  if (!slot) return channelTargets(role, rendered).map(() => null);
  return channelTargets(role, rendered).map(({ condition, level }): TargetPoint => {
    const label = labels.find((l) => l.point.condition === condition && l.point.level === level);
    if (!label) return null;
    const n = labelNorm(label);
    return [n.x * size.width, n.y * size.height];
  });
}

/** Millimetres per input pixel at the keypoint slice (mean of the two axes), for the trainer's error in mm. */
export function mmPerInputPixel(rendered: RenderedSample, size: { readonly width: number; readonly height: number }): number | undefined {
  const slice = rendered.slots[0]?.keypointSlice;
  if (!slice) return undefined;
  const g = slice.geometry;
  return ((g.columns / size.width) * g.pixelSpacing[1] + (g.rows / size.height) * g.pixelSpacing[0]) / 2;
}
