// How each model input slot looks at a study: the series, the side, which slices, the crop and mirroring.
// Keypoint inputs are whole slices; classifier slots are ROI kinds. The manifest supplies the numbers
// (offsets, distances, mirroring); the ROI kind's name supplies where its centre comes from.
import type { Level, SeriesType, Side } from '../domain/vocabulary.js';

/** LEFT / RIGHT / NONE fix the side; SAMPLE takes the side of the sample (Sag T1 keypoints: one run per side). */
export type ViewSide = 'NONE' | 'LEFT' | 'RIGHT' | 'SAMPLE';

export type SliceSelect =
  | { readonly mode: 'middle' }
  /** Centred at a signed offset from the stack middle (positive = patient left), chosen by the resolved side. */
  | { readonly mode: 'offset-mm'; readonly offsetMm: Readonly<Partial<Record<Side, number | Readonly<Record<Level, number>>>>> }
  /** Around the slice (of any stack of the series) nearest to the sample level's Sag T2 keypoint. */
  | { readonly mode: 'nearest-to-projection'; readonly maxDistanceMm: number };

export interface ViewSpec {
  readonly series: Exclude<SeriesType, 'OTHER'>;
  readonly side: ViewSide;
  readonly select: SliceSelect;
  /** 'full-slice': the whole slice resized (keypoint models); 'roi': roiMm around the view's keypoint. */
  readonly crop: 'full-slice' | 'roi';
  /** Flip left-right (right-side axial ROIs, so both sides look alike to one model). */
  readonly mirrored: boolean;
}

/**
 * The ROI kinds of the reference pipeline (docs/training-format.md) and the keypoint each is centred on:
 * the keypoint of the kind's series at the sample's level and the kind's side; a side-less axial ROI uses the
 * mean of the left and right axial points.
 */
export const ROI_KIND_SIDES = {
  SAG_T2_SPINAL: { series: 'SAGITTAL_T2_STIR', side: 'NONE' },
  AXIAL_SPINAL: { series: 'AXIAL_T2', side: 'NONE' },
  SAG_T1_LEFT: { series: 'SAGITTAL_T1', side: 'LEFT' },
  SAG_T1_RIGHT: { series: 'SAGITTAL_T1', side: 'RIGHT' },
  AXIAL_LEFT: { series: 'AXIAL_T2', side: 'LEFT' },
  AXIAL_RIGHT: { series: 'AXIAL_T2', side: 'RIGHT' },
} as const satisfies Record<string, { series: ViewSpec['series']; side: Side }>;

export type RoiKind = keyof typeof ROI_KIND_SIDES;
export const ROI_KINDS = Object.keys(ROI_KIND_SIDES) as [RoiKind, ...RoiKind[]];
