// Heatmap targets of a rendered keypoint sample: each label point carried through patient space onto the input's
// centre slice, then through the slot's tensor map into the input grid (docs/training-format.md, "Coordinates").
import { patientToPixel, sliceNormal } from '../../dicom/geometry.js';
import type { Condition, Level, Side } from '../../domain/vocabulary.js';
import { LEVELS } from '../../domain/vocabulary.js';
import { toTarget, type ModelRole, type RenderedSample, type SliceRef } from '../../inference/index.js';
import type { LocatedLabel } from './label-keypoints.js';

export type TargetPoint = readonly [number, number] | null;

/** Two slices of one series belong to one stack when their planes are parallel (tilted axial stacks are not). */
const PARALLEL_COS = 0.999;

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

/**
 * The sample's target points in its input grid, or null where the label is missing, lies on another stack (axial)
 * or falls outside the input.
 */
export function keypointTargets(
  role: ModelRole,
  rendered: RenderedSample,
  labels: readonly LocatedLabel[],
  centreSlice: SliceRef,
  size: { readonly width: number; readonly height: number },
): TargetPoint[] {
  const slot = rendered.slots[0];
  if (!slot) return channelTargets(role, rendered).map(() => null);
  const centre = centreSlice.geometry;
  const normal = sliceNormal(centre);
  return channelTargets(role, rendered).map(({ condition, level }): TargetPoint => {
    const label = labels.find((l) => l.point.condition === condition && l.point.level === level);
    if (!label) return null;
    if (role === 'keypoints-axial') {
      const n = sliceNormal(label.geometry);
      const cos = Math.abs(n[0] * normal[0] + n[1] * normal[1] + n[2] * normal[2]);
      if (label.point.seriesId !== slot.seriesId || cos < PARALLEL_COS) return null;
    }
    const onCentre = patientToPixel(centre, label.keypoint.patientMm);
    const p = toTarget(slot.map, { x: onCentre.x, y: onCentre.y });
    const inside = p.x >= -0.5 && p.x <= size.width - 0.5 && p.y >= -0.5 && p.y <= size.height - 0.5;
    return inside ? [p.x, p.y] : null;
  });
}

/** Millimetres per input pixel (mean of the two axes), for the trainer's error in mm. */
export function mmPerInputPixel(rendered: RenderedSample, centreSlice: SliceRef): number | undefined {
  const slot = rendered.slots[0];
  if (!slot) return undefined;
  const [rowMm, colMm] = centreSlice.geometry.pixelSpacing;
  return (Math.abs(slot.map.x.scale) * colMm + Math.abs(slot.map.y.scale) * rowMm) / 2;
}
