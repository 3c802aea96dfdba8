// Resolves one image input of a model for one sample of a study: which series, which slices, which crop, exactly
// as the seed's datasets do (rsna2024/data_loader/datasets.py: get_image for keypoint inputs, get_roi for ROIs).
import type { ImageFrame } from '../../domain/image.js';
import type { Level, SeriesType, Side } from '../../domain/vocabulary.js';
import { patientToPixel, pixelToPatient } from '../../dicom/geometry.js';
import type { PixelMap, PixelPoint } from '../preprocess/pixel-map.js';
import type { RenderChannel } from '../preprocess/render.js';
import { boxInside, cutOutMap, fullSliceMap, seedRoiBox } from '../preprocess/roi.js';
import { aroundWindow, middleWindow, offsetWindow, type SliceWindow } from '../preprocess/slice-selection.js';
import type { Sample } from '../roles.js';
import type { SeedSeries } from '../seed-series.js';
import type { SliceRef } from '../stack.js';
import { isUnavailable, type StudyKeypoint, type Unavailable } from '../types.js';
import type { ViewSpec } from '../view-presets.js';
import { keypointKey, type StudyState } from './study-state.js';

export interface ViewPlan {
  readonly series: SeedSeries;
  readonly window: SliceWindow;
  readonly side: Side;
  /** Full-slice (keypoint) views: the slice a keypoint found in this input lies on. */
  readonly keypointSlice: SliceRef | undefined;
  /** ROI views: the centre as the seed's x_norm, y_norm (fractions of the columns and rows). */
  readonly centreNorm: PixelPoint | undefined;
  readonly mirror: boolean;
}

/** The tensor a view renders into: slices x rows x cols, and the ROI size for ROI views. */
export interface ViewTarget {
  readonly slices: number;
  readonly rows: number;
  readonly cols: number;
  readonly roiMm: number | undefined;
}

const unavailable = (code: Unavailable['code'], message: string): Unavailable => ({ code, message });

function needLevel(sample: Sample): Level {
  if (!sample.level)
    throw new Error('internal: a per-level view was asked for a sample without a level (the manifest check should prevent this)');
  return sample.level;
}

/** The seed's most_frequent: the first of the most common values (ties go to the earliest). */
export function mostFrequent<T>(values: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestCount = 0;
  for (const v of values) {
    const c = values.filter((w) => w === v).length;
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

const found = (k: StudyKeypoint | Unavailable | undefined): k is StudyKeypoint => k !== undefined && !isUnavailable(k);

function keypoint(state: StudyState, series: SeriesType, level: Level, side: Side): StudyKeypoint | Unavailable {
  const k = state.keypoints.get(keypointKey(series, level, side));
  return k ?? unavailable('KEYPOINT_MISSING', `no ${series} keypoint at ${level}${side === 'NONE' ? '' : ` ${side}`}`);
}

/** x_norm, y_norm of a keypoint: its own, or its pixel over its slice's columns and rows. */
export function normalizedOf(state: StudyState, kp: StudyKeypoint): PixelPoint {
  if (kp.normalized) return kp.normalized;
  const slice = state.seriesById(kp.seriesType, kp.seriesId)?.slices.find((s) => s.sopInstanceUid === kp.sopInstanceUid);
  if (!slice) throw new Error(`internal: keypoint slice ${kp.sopInstanceUid} is not in series ${kp.seriesId}`);
  return { x: kp.pixel.x / slice.geometry.columns, y: kp.pixel.y / slice.geometry.rows };
}

/**
 * The series a keypoint input reads: the most frequent series of that role's keypoints when there are any (the
 * seed's get_series_with_coords on a coordinates file), else the study's first series of the type.
 */
function keypointInputSeries(state: StudyState, type: SeriesType, side: Side): SeedSeries | Unavailable {
  const all = state.series.get(type);
  if (!all || all.length === 0) return unavailable('NO_SERIES', `no ${type} series`);
  const levels: Level[] = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'];
  const named = mostFrequent(
    levels
      .map((l) => state.keypoints.get(keypointKey(type, l, side)))
      .filter(found)
      .map((k) => k.seriesId),
  );
  return (named !== undefined ? state.seriesById(type, named) : undefined) ?? all[0];
}

/**
 * The axial slice a level's axial inputs are centred on. 'keypoints': the most frequent series of the level's
 * left/right axial keypoints, then their most frequent slice (left first on a tie), as get_series_with_coords
 * picks them. 'projection': the seed's sagi_coord_to_axi_instance_number: the level's Sag T2 point placed through
 * the middle file (by instance number) of its series, then the first axial slice, over every axial series in
 * order, with the smallest |dot(p - IPP, normal)|; none when that exceeds maxMm.
 */
function axialAnchor(state: StudyState, level: Level, maxMm: number): { series: SeedSeries; index: number } | Unavailable {
  const axial = state.series.get('AXIAL_T2') ?? [];
  if (axial.length === 0) return unavailable('NO_SERIES', 'no AXIAL_T2 series');
  if (state.axialAnchor === 'keypoints') {
    const sides = (['LEFT', 'RIGHT'] as const).map((s) => keypoint(state, 'AXIAL_T2', level, s));
    const kps = sides.filter(found);
    if (kps.length === 0) return sides.find(isUnavailable) ?? unavailable('KEYPOINT_MISSING', `no axial keypoint at ${level}`);
    const seriesId = mostFrequent(kps.map((k) => k.seriesId));
    const uid = mostFrequent(kps.filter((k) => k.seriesId === seriesId).map((k) => k.sopInstanceUid));
    const series = axial.find((s) => s.seriesId === seriesId);
    const index = series ? series.slices.findIndex((s) => s.sopInstanceUid === uid) : -1;
    if (!series || index < 0) return unavailable('NO_SERIES', `${level}: the axial keypoints' slice is not in the study`);
    return { series, index };
  }
  const kp = keypoint(state, 'SAGITTAL_T2_STIR', level, 'NONE');
  if (isUnavailable(kp)) return { code: kp.code, message: `${kp.message} to project onto the axial series` };
  // A keypoint handed over without its Sag T2 series (a caller's own points) is placed by its own patientMm.
  const sag = state.seriesById('SAGITTAL_T2_STIR', kp.seriesId);
  const mid = sag && sag.byInstance.length > 0 ? sag.byInstance[sag.byInstance.length >> 1].geometry : undefined;
  const norm = mid ? normalizedOf(state, kp) : undefined;
  const world = mid && norm ? pixelToPatient(mid, norm.x * mid.columns, norm.y * mid.rows) : kp.patientMm;
  let best: { series: SeedSeries; slice: SliceRef; d: number } | undefined;
  for (const series of axial) {
    for (const slice of series.byInstance) {
      const d = patientToPixel(slice.geometry, world).distanceMm;
      if (!best || d < best.d) best = { series, slice, d };
    }
  }
  if (!best || best.d > maxMm) {
    const how = best ? `nearest slice is ${best.d.toFixed(1)} mm away` : 'no slices';
    return unavailable('AXIAL_PROJECTION_MISS', `${level}: no axial slice within ${maxMm} mm of the Sag T2 point (${how})`);
  }
  return { series: best.series, index: best.series.slices.indexOf(best.slice) };
}

function emptyWindow(series: SeedSeries, what: string): Unavailable {
  return unavailable('NO_SERIES', `${what}: the window lies past the ${series.slices.length} slices of series ${series.seriesId}`);
}

function planKeypointView(state: StudyState, view: ViewSpec, target: ViewTarget, sample: Sample, side: Side): ViewPlan | Unavailable {
  const k = target.slices;
  if (view.select.mode === 'nearest-to-projection') {
    const anchor = axialAnchor(state, needLevel(sample), view.select.maxDistanceMm);
    if (isUnavailable(anchor)) return anchor;
    const window = aroundWindow(anchor.series.slices.length, k, anchor.index);
    const keypointSlice = anchor.series.slices[anchor.index];
    return { series: anchor.series, window, side, keypointSlice, centreNorm: undefined, mirror: view.mirrored };
  }
  const series = keypointInputSeries(state, view.series, side);
  if (isUnavailable(series)) return series;
  const n = series.slices.length;
  if (n === 0) return unavailable('NO_SERIES', `series ${series.seriesId} has no slices`);
  if (view.select.mode === 'middle') {
    // The seed projects Sag T2 points through the middle file by instance number (generate_coords.py).
    const window = middleWindow(n, k);
    return { series, window, side, keypointSlice: series.byInstance[n >> 1], centreNorm: undefined, mirror: view.mirrored };
  }
  const o = view.select.offsetMm[side];
  if (o === undefined) throw new Error(`internal: no ${side} offset in an offset-mm view (the manifest check should prevent this)`);
  const window = offsetWindow(n, k, typeof o === 'number' ? o : o[needLevel(sample)], series.spacingMm);
  if (window.indices.length === 0) return emptyWindow(series, `${view.series} ${side}`);
  const keypointSlice = series.slices[window.indices[Math.min(k >> 1, window.indices.length - 1)]];
  return { series, window, side, keypointSlice, centreNorm: undefined, mirror: view.mirrored };
}

/**
 * An ROI view (get_roi): the keypoint's series; the side-less axial ROI is centred on the mean of the left and
 * right points and takes the left point's slice (the right one's without a left point), as SpinalROIDataset does.
 */
function planRoiView(state: StudyState, view: ViewSpec, target: ViewTarget, sample: Sample, side: Side): ViewPlan | Unavailable {
  const level = needLevel(sample);
  let anchor: StudyKeypoint;
  let centreNorm: PixelPoint;
  if (view.series === 'AXIAL_T2' && side === 'NONE') {
    const sides = (['LEFT', 'RIGHT'] as const).map((s) => keypoint(state, 'AXIAL_T2', level, s));
    const kps = sides.filter(found);
    if (kps.length === 0) return sides.find(isUnavailable)!;
    const norms = kps.map((k) => normalizedOf(state, k));
    centreNorm = {
      x: norms.reduce((a, p) => a + p.x, 0) / norms.length,
      y: norms.reduce((a, p) => a + p.y, 0) / norms.length,
    };
    anchor = kps[0];
  } else {
    const own = keypoint(state, view.series, level, side);
    if (isUnavailable(own)) return own;
    anchor = own;
    centreNorm = normalizedOf(state, own);
  }
  const series = state.seriesById(view.series, anchor.seriesId);
  if (!series || series.slices.length === 0) return unavailable('NO_SERIES', `the ${view.series} keypoint's series is not in the study`);
  const n = series.slices.length;
  const k = target.slices;
  let window: SliceWindow;
  switch (view.select.mode) {
    case 'middle':
      window = middleWindow(n, k);
      break;
    case 'offset-mm': {
      const o = view.select.offsetMm[side];
      if (o === undefined) throw new Error(`internal: no ${side} offset in an offset-mm view (the manifest check should prevent this)`);
      window = offsetWindow(n, k, typeof o === 'number' ? o : o[level], series.spacingMm);
      break;
    }
    case 'nearest-to-projection': {
      const index = series.slices.findIndex((s) => s.sopInstanceUid === anchor.sopInstanceUid);
      if (index < 0) return unavailable('NO_SERIES', `the ${view.series} keypoint's slice is not in its series`);
      window = aroundWindow(n, k, index);
      break;
    }
  }
  if (window.indices.length === 0) return emptyWindow(series, `${view.series} ROI ${level}`);
  const first = series.slices[window.indices[0]].geometry;
  const box = seedRoiBox({ x: centreNorm.x * first.columns, y: centreNorm.y * first.rows }, first.pixelSpacing, target.roiMm ?? 0);
  if (!boxInside(box, first))
    return unavailable(
      'ROI_OUT_OF_BOUNDS',
      `${view.series} ROI ${level}${side === 'NONE' ? '' : ` ${side}`} box [${box.x1}, ${box.x2}) x [${box.y1}, ${box.y2}) crosses the ${first.columns} x ${first.rows} image edge (left zero, as the seed does)`,
    );
  return { series, window, side, keypointSlice: undefined, centreNorm, mirror: view.mirrored };
}

export function planView(state: StudyState, view: ViewSpec, target: ViewTarget, sample: Sample): ViewPlan | Unavailable {
  const side: Side = view.side === 'SAMPLE' ? sample.side : view.side;
  if (!state.series.get(view.series)?.length) return unavailable('NO_SERIES', `no ${view.series} series`);
  return view.crop === 'full-slice' ? planKeypointView(state, view, target, sample, side) : planRoiView(state, view, target, sample, side);
}

/** Decodes the window's slices; one that fails makes the view unusable. */
export async function loadView(state: StudyState, plan: ViewPlan): Promise<ImageFrame[] | Unavailable> {
  const slices = plan.window.indices.map((i) => plan.series.slices[i]);
  const settled = await Promise.allSettled(slices.map((s) => state.frame(s)));
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const why = (settled[failed] as PromiseRejectedResult).reason as unknown;
    return unavailable(
      'SLICE_LOAD_FAILED',
      `slice ${slices[failed].sopInstanceUid} of series ${plan.series.seriesId} could not be loaded: ${why instanceof Error ? why.message : String(why)}`,
    );
  }
  return settled.map((r) => (r as PromiseFulfilledResult<ImageFrame>).value);
}

/**
 * Per channel, how the tensor samples its slice (channel c reads frames[c]). ROI channels follow get_roi: the centre
 * is x_norm times the first slice's columns (rows for y), each slice's box uses its own PixelSpacing, and the first
 * box that crosses the image edge stops the ROI there (that channel and the later ones stay zero).
 */
export function channelPlan(plan: ViewPlan, target: ViewTarget, frames: readonly ImageFrame[]): RenderChannel[] {
  if (!plan.centreNorm) return frames.map((f, c) => ({ frame: c, map: fullSliceMap(f, target.rows, target.cols) }));
  if (frames.length === 0) return [];
  const centre = { x: plan.centreNorm.x * frames[0].columns, y: plan.centreNorm.y * frames[0].rows };
  const out: RenderChannel[] = [];
  for (const [c, f] of frames.entries()) {
    const slice = plan.series.slices[plan.window.indices[c]];
    const box = seedRoiBox(centre, slice.geometry.pixelSpacing, target.roiMm ?? 0);
    if (!boxInside(box, f)) break;
    out.push({ frame: c, map: cutOutMap(box, target.rows, target.cols, plan.mirror), cut: box });
  }
  return out;
}

/**
 * Heatmap grid -> source pixels of the keypoint slice, the inverse of the seed's target convention: a target
 * centre is x_norm * W (CoordDataset.create_heatmaps(coords * resolution)) and a decoded point x_norm = x / W
 * (generate_coords.py get_coord_from_heatmap_pred), so source x = x * columns / W, with no half-pixel shift.
 */
export function seedCoordinateMap(slice: SliceRef, heatmapRows: number, heatmapCols: number): PixelMap {
  return {
    x: { offset: 0, scale: slice.geometry.columns / heatmapCols },
    y: { offset: 0, scale: slice.geometry.rows / heatmapRows },
  };
}
