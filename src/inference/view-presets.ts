// Named input views of the reference pipeline, so a manifest can say `"view": "SAG_T1_SIDE"` instead of
// spelling out series, side, slice selection, crop and mirroring. Explicit fields in a manifest override these.
import { LEVEL_INFO, LEVELS, type Level, type SeriesType } from '../domain/vocabulary.js';

/** LEFT / RIGHT / NONE fix the side; SAMPLE takes the side of the sample (one model used for both sides). */
export type ViewSide = 'NONE' | 'LEFT' | 'RIGHT' | 'SAMPLE';

export type SliceSelect =
  | { readonly mode: 'middle' }
  /** Centred offsetMm from the stack middle, towards patient left; a RIGHT side negates it. */
  | { readonly mode: 'offset-mm'; readonly offsetMm: number | Readonly<Record<Level, number>> }
  /** Around the slice (of any stack of the series) nearest to the sample level's Sag T2 keypoint. */
  | { readonly mode: 'nearest-to-projection' };

export interface ViewSpec {
  readonly series: Exclude<SeriesType, 'OTHER'>;
  readonly side: ViewSide;
  readonly select: SliceSelect;
  /** 'full-slice': the whole slice resized (keypoint models); 'roi': roiMm around the view's keypoint. */
  readonly crop: 'full-slice' | 'roi';
  /** 'right-side': flip left-right when the resolved side is RIGHT. */
  readonly mirror: 'none' | 'right-side';
}

/** Sag T1 keypoint slices sit 16.8 mm from the middle (reference pipeline). */
export const SAG_T1_KEYPOINT_OFFSET_MM = 16.8;
const SAG_T1_LEVEL_OFFSETS_MM = Object.fromEntries(LEVELS.map((l) => [l, LEVEL_INFO[l].sagT1OffsetMm])) as Record<Level, number>;

const middle = { mode: 'middle' } as const;
const projected = { mode: 'nearest-to-projection' } as const;
const t1Roi = { mode: 'offset-mm', offsetMm: SAG_T1_LEVEL_OFFSETS_MM } as const;

export const VIEW_PRESETS = {
  // keypoint model inputs (whole slices)
  SAG_T2_MIDDLE: { series: 'SAGITTAL_T2_STIR', side: 'NONE', select: middle, crop: 'full-slice', mirror: 'none' },
  SAG_T1_SIDE: {
    series: 'SAGITTAL_T1',
    side: 'SAMPLE',
    select: { mode: 'offset-mm', offsetMm: SAG_T1_KEYPOINT_OFFSET_MM },
    crop: 'full-slice',
    mirror: 'none',
  },
  AXIAL_AT_LEVEL: { series: 'AXIAL_T2', side: 'NONE', select: projected, crop: 'full-slice', mirror: 'none' },
  // classifier ROIs
  SAG_T2_SPINAL: { series: 'SAGITTAL_T2_STIR', side: 'NONE', select: middle, crop: 'roi', mirror: 'none' },
  AXIAL_SPINAL: { series: 'AXIAL_T2', side: 'NONE', select: projected, crop: 'roi', mirror: 'none' },
  SAG_T1: { series: 'SAGITTAL_T1', side: 'SAMPLE', select: t1Roi, crop: 'roi', mirror: 'none' },
  SAG_T1_LEFT: { series: 'SAGITTAL_T1', side: 'LEFT', select: t1Roi, crop: 'roi', mirror: 'none' },
  SAG_T1_RIGHT: { series: 'SAGITTAL_T1', side: 'RIGHT', select: t1Roi, crop: 'roi', mirror: 'none' },
  AXIAL_SIDE: { series: 'AXIAL_T2', side: 'SAMPLE', select: projected, crop: 'roi', mirror: 'right-side' },
  AXIAL_LEFT: { series: 'AXIAL_T2', side: 'LEFT', select: projected, crop: 'roi', mirror: 'right-side' },
  AXIAL_RIGHT: { series: 'AXIAL_T2', side: 'RIGHT', select: projected, crop: 'roi', mirror: 'right-side' },
} as const satisfies Record<string, ViewSpec>;

export type ViewPresetName = keyof typeof VIEW_PRESETS;
export const VIEW_PRESET_NAMES = Object.keys(VIEW_PRESETS) as [ViewPresetName, ...ViewPresetName[]];
