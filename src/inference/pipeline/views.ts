// Resolves one image input of a model for one sample of a study: which stack, which slices, which crop.
import type { ImageFrame } from '../../domain/image.js';
import type { Side } from '../../domain/vocabulary.js';
import { patientToPixel } from '../../dicom/geometry.js';
import type { OutsidePolicy } from '../preprocess/bicubic.js';
import type { PixelMap, PixelPoint } from '../preprocess/pixel-map.js';
import { fullSliceMap, roiPlacement, type RoiOverlap, type SourceGrid } from '../preprocess/roi.js';
import { aroundWindow, middleWindow, offsetWindow, type SliceWindow } from '../preprocess/slice-selection.js';
import type { Sample } from '../roles.js';
import type { OrderedStack, SliceRef } from '../stack.js';
import { isUnavailable, type Unavailable } from '../types.js';
import type { ViewSpec } from '../view-presets.js';
import { keypointKey, type StudyState } from './study-state.js';

export interface ViewPlan {
  readonly stack: OrderedStack;
  readonly window: SliceWindow;
  readonly side: Side;
  /** ROI centre in the stack's pixel grid (roi crops only). */
  readonly centre: PixelPoint | undefined;
  readonly mirror: boolean;
  readonly overlap: RoiOverlap;
}

/** The tensor a view renders into: slices x rows x cols, and the ROI size for ROI views. */
export interface ViewTarget {
  readonly slices: number;
  readonly rows: number;
  readonly cols: number;
  readonly roiMm: number | undefined;
}

const unavailable = (code: Unavailable['code'], message: string): Unavailable => ({ code, message });

function needLevel(sample: Sample): NonNullable<Sample['level']> {
  if (!sample.level)
    throw new Error('internal: a per-level view was asked for a sample without a level (the manifest check should prevent this)');
  return sample.level;
}

/** The slice nearest to the sample level's Sag T2 keypoint over every stack of the series, by distance to its plane. */
function nearestToProjection(
  state: StudyState,
  stacks: readonly OrderedStack[],
  sample: Sample,
  maxMm: number,
): { stack: OrderedStack; index: number } | Unavailable {
  const level = needLevel(sample);
  const kp = state.keypoints.get(keypointKey('SAGITTAL_T2_STIR', level, 'NONE'));
  if (kp === undefined) return unavailable('KEYPOINT_MISSING', `no Sag T2 keypoint at ${level} to project onto the axial series`);
  if (isUnavailable(kp)) return kp;
  let best: { stack: OrderedStack; index: number; d: number } | undefined;
  for (const stack of stacks) {
    stack.slices.forEach((s, index) => {
      const d = patientToPixel(s.geometry, kp.patientMm).distanceMm;
      if (!best || d < best.d) best = { stack, index, d };
    });
  }
  if (!best || best.d > maxMm) {
    const how = best ? `nearest slice is ${best.d.toFixed(1)} mm away` : 'no slices';
    return unavailable('AXIAL_PROJECTION_MISS', `${level}: no axial slice within ${maxMm} mm of the Sag T2 point (${how})`);
  }
  return best;
}

/** The keypoint an ROI is centred on; a side-less axial ROI uses the mean of the left and right points. */
function roiCentre(state: StudyState, view: ViewSpec, sample: Sample, side: Side): PixelPoint | Unavailable {
  const level = needLevel(sample);
  const own = state.keypoints.get(keypointKey(view.series, level, side));
  if (own && !isUnavailable(own)) return own.pixel;
  const alternatives: Side[] = side === 'NONE' ? ['LEFT', 'RIGHT'] : ['NONE'];
  const found = alternatives.map((s) => state.keypoints.get(keypointKey(view.series, level, s))).filter((k) => k && !isUnavailable(k));
  const points = found.map((k) => (k as { pixel: PixelPoint }).pixel);
  if (points.length > 0)
    return { x: points.reduce((a, p) => a + p.x, 0) / points.length, y: points.reduce((a, p) => a + p.y, 0) / points.length };
  if (own && isUnavailable(own)) return own;
  const firstReason = alternatives.map((s) => state.keypoints.get(keypointKey(view.series, level, s))).find(isUnavailable);
  return (
    firstReason ??
    unavailable('KEYPOINT_MISSING', `no ${view.series} keypoint at ${level}${side === 'NONE' ? '' : ` ${side}`} to centre the ROI on`)
  );
}

export function gridOf(slice: SliceRef): SourceGrid {
  return { rows: slice.geometry.rows, columns: slice.geometry.columns, pixelSpacing: slice.geometry.pixelSpacing };
}

export function planView(state: StudyState, view: ViewSpec, target: ViewTarget, sample: Sample): ViewPlan | Unavailable {
  const side: Side = view.side === 'SAMPLE' ? sample.side : view.side;
  const stacks = state.stacks.get(view.series);
  if (!stacks || stacks.length === 0) return unavailable('NO_SERIES', `no ${view.series} series`);
  let stack = stacks[0];
  let window: SliceWindow;
  const n = stack.slices.length;
  const k = target.slices;
  switch (view.select.mode) {
    case 'middle':
      window = middleWindow(n, k);
      break;
    case 'offset-mm': {
      // Offsets are signed (patient left positive) and given per side, so a side-less view has none.
      const o = view.select.offsetMm[side];
      if (o === undefined) throw new Error(`internal: no ${side} offset in an offset-mm view (the manifest check should prevent this)`);
      window = offsetWindow(n, k, typeof o === 'number' ? o : o[needLevel(sample)], stack.spacingMm);
      break;
    }
    case 'nearest-to-projection': {
      const hit = nearestToProjection(state, stacks, sample, view.select.maxDistanceMm);
      if (isUnavailable(hit)) return hit;
      stack = hit.stack;
      window = aroundWindow(stack.slices.length, k, hit.index);
      break;
    }
  }
  const mirror = view.mirrored;
  if (view.crop === 'full-slice') return { stack, window, side, centre: undefined, mirror, overlap: 'inside' };
  const centre = roiCentre(state, view, sample, side);
  if (isUnavailable(centre)) return centre;
  const { overlap } = roiPlacement(gridOf(stack.slices[window.centre]), centre, target.roiMm ?? 0, target.rows, target.cols, mirror);
  if (overlap === 'outside')
    return unavailable(
      'ROI_OUT_OF_BOUNDS',
      `${view.series} ROI at (${centre.x.toFixed(0)}, ${centre.y.toFixed(0)}) lies outside the image`,
    );
  return { stack, window, side, centre, mirror, overlap };
}

/** Decodes the window's slices; one that fails makes the view unusable. */
export async function loadView(state: StudyState, plan: ViewPlan): Promise<ImageFrame[] | Unavailable> {
  const slices = plan.window.indices.map((i) => plan.stack.slices[i]);
  const settled = await Promise.allSettled(slices.map((s) => state.frame(s)));
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const why = (settled[failed] as PromiseRejectedResult).reason as unknown;
    return unavailable(
      'SLICE_LOAD_FAILED',
      `slice ${slices[failed].sopInstanceUid} of series ${plan.stack.seriesId} could not be loaded: ${why instanceof Error ? why.message : String(why)}`,
    );
  }
  return settled.map((r) => (r as PromiseFulfilledResult<ImageFrame>).value);
}

/** Per channel, how the tensor samples its slice; plus the map of the window's centre slice (for keypoints). */
export function channelMaps(
  plan: ViewPlan,
  target: ViewTarget,
  frames: readonly ImageFrame[],
): { maps: PixelMap[]; centreMap: PixelMap; outside: OutsidePolicy } {
  const mapFor = (slice: SliceRef, frame: ImageFrame): PixelMap => {
    // Decoded dimensions win over the header's, should they ever disagree.
    const grid: SourceGrid = { rows: frame.rows, columns: frame.columns, pixelSpacing: slice.geometry.pixelSpacing };
    return plan.centre
      ? roiPlacement(grid, plan.centre, target.roiMm ?? 0, target.rows, target.cols, plan.mirror).map
      : fullSliceMap(grid, target.rows, target.cols);
  };
  const maps = plan.window.indices.map((idx, c) => mapFor(plan.stack.slices[idx], frames[c]));
  const centreChannel = Math.max(0, plan.window.indices.indexOf(plan.window.centre));
  return { maps, centreMap: maps[centreChannel], outside: plan.centre ? 'zero' : 'replicate' };
}
