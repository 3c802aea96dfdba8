import { describe, expect, it } from 'vitest';
import type { SliceGeometry, Vec3 } from '../../../src/domain/image.js';
import { pixelToPatient } from '../../../src/dicom/geometry.js';
import { heatmapPeak } from '../../../src/inference/keypoints/heatmap-peak.js';
import { StudyState, keypointKey } from '../../../src/inference/pipeline/study-state.js';
import { planView } from '../../../src/inference/pipeline/views.js';
import { toSource } from '../../../src/inference/preprocess/pixel-map.js';
import { renderTask } from '../../../src/inference/preprocess/render.js';
import { roiPlacement } from '../../../src/inference/preprocess/roi.js';
import type { SliceRef } from '../../../src/inference/stack.js';
import { isUnavailable } from '../../../src/inference/types.js';
import type { ViewSpec } from '../../../src/inference/view-presets.js';
import { gaussianImage } from './support/synthetic-study.js';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

// An oblique slice with unequal pixel spacing, so axis mix-ups show.
const theta = (15 * Math.PI) / 180;
const rowCos: Vec3 = [Math.cos(theta), Math.sin(theta), 0];
const colCos: Vec3 = [0, 0, -1];
const geometry: SliceGeometry = {
  rows: 200,
  columns: 180,
  pixelSpacing: [0.7, 0.9],
  imagePositionPatient: [-50, 20, 80],
  imageOrientationPatient: [...rowCos, ...colCos],
};
const grid = { rows: 200, columns: 180, pixelSpacing: [0.7, 0.9] as const };

describe('50 mm ROI', () => {
  const dotPixel = { x: 93.4, y: 71.8 };
  const dotMm = pixelToPatient(geometry, dotPixel.x, dotPixel.y);
  const frame = { rows: 200, columns: 180, pixels: gaussianImage(200, 180, [dotPixel], 0, 1000, 2) };
  const centre = { x: 100, y: 80 };
  const centreMm = pixelToPatient(geometry, centre.x, centre.y);
  // Independent expectation in patient space: mm from the ROI centre along each axis, in ROI pixels (50 mm / 64 px).
  const mmPerRoiPx = 50 / 64;
  const expectU = 31.5 + dot(sub(dotMm, centreMm), rowCos) / mmPerRoiPx;
  const expectV = 31.5 + dot(sub(dotMm, centreMm), colCos) / mmPerRoiPx;

  const render = (mirror: boolean) => {
    const { map, overlap } = roiPlacement(grid, centre, 50, 64, 64, mirror);
    const out = renderTask([frame], { channels: [{ frame: 0, map }], rows: 64, cols: 64, outside: 'zero', normalisation: 'zscore-stack' });
    return { out, map, overlap };
  };

  it('shows a bright dot at a known patient coordinate where patient geometry says it should be', () => {
    const { out, map, overlap } = render(false);
    expect(overlap).toBe('inside');
    const peak = heatmapPeak(out, 0, 64, 64, true);
    expect(Math.abs(peak.x - expectU)).toBeLessThan(0.3);
    expect(Math.abs(peak.y - expectV)).toBeLessThan(0.3);
    // And the ROI's own map takes the peak back to the dot's source pixel.
    const back = toSource(map, peak);
    expect(Math.hypot(back.x - dotPixel.x, back.y - dotPixel.y)).toBeLessThan(0.3);
  });

  it('mirrors left-right: the dot moves to 63 - u, same row', () => {
    const { out, map } = render(true);
    const peak = heatmapPeak(out, 0, 64, 64, true);
    expect(Math.abs(peak.x - (63 - expectU))).toBeLessThan(0.3);
    expect(Math.abs(peak.y - expectV)).toBeLessThan(0.3);
    const back = toSource(map, peak);
    expect(Math.hypot(back.x - dotPixel.x, back.y - dotPixel.y)).toBeLessThan(0.3);
  });

  it('leaves the part of an ROI outside the image zero, and knows when it misses the image entirely', () => {
    const flat = { rows: 200, columns: 180, pixels: new Float32Array(200 * 180).fill(5) };
    const { map, overlap } = roiPlacement(grid, { x: 3, y: 190 }, 50, 32, 32, false);
    expect(overlap).toBe('partial');
    const out = renderTask([flat], { channels: [{ frame: 0, map }], rows: 32, cols: 32, outside: 'zero', normalisation: 'none' });
    // 50 mm = 55.6 px wide: the left ~half of the columns and the bottom rows fall outside.
    expect(out[16 * 32 + 0]).toBe(0); // left edge: x = 3 - 27.8 < -0.5
    expect(out[0 * 32 + 31]).toBeCloseTo(5, 4); // top right: inside
    expect(out[31 * 32 + 31]).toBe(0); // bottom: y = 190 + 35.7 > 199.5
    expect(roiPlacement(grid, { x: -100, y: 50 }, 50, 32, 32, false).overlap).toBe('outside');
  });
});

describe('Sag T2 point -> axial slice', () => {
  const sagittal: SliceGeometry = {
    rows: 256,
    columns: 256,
    pixelSpacing: [0.8, 0.8],
    imagePositionPatient: [2, -90, 110],
    imageOrientationPatient: [0, 1, 0, 0, 0, -1],
  };
  const point = pixelToPatient(sagittal, 118.5, 140.25);

  /** A tilted axial stack of 6 slices 4 mm apart whose slice `hit` passes `missMm` from `point` along its normal. */
  function axialStack(tiltDeg: number, hit: number, missMm: number, uidPrefix: string): SliceRef[] {
    const t = (tiltDeg * Math.PI) / 180;
    const row: Vec3 = [1, 0, 0];
    const col: Vec3 = [0, Math.cos(t), Math.sin(t)];
    const n: Vec3 = [0, -Math.sin(t), Math.cos(t)];
    return Array.from({ length: 6 }, (_, j) => {
      const d = (j - hit) * 4 + missMm;
      const ipp = [0, 1, 2].map((a) => point[a] + d * n[a] - 40 * row[a] - 50 * col[a]) as unknown as Vec3;
      const g: SliceGeometry = {
        rows: 128,
        columns: 128,
        pixelSpacing: [0.75, 0.75],
        imagePositionPatient: ipp,
        imageOrientationPatient: [...row, ...col],
      };
      return {
        sopInstanceUid: `${uidPrefix}.${j}`,
        instanceNumber: j + 1,
        geometry: g,
        load: () => Promise.reject(new Error('not needed')),
      };
    });
  }

  const view: ViewSpec = {
    series: 'AXIAL_T2',
    side: 'NONE',
    select: { mode: 'nearest-to-projection', maxDistanceMm: 5 },
    crop: 'full-slice',
    mirrored: false,
  };
  const target = { slices: 3, rows: 64, cols: 64, roiMm: undefined };
  const stateWith = (stacks: SliceRef[][]) => {
    const state = new StudyState({
      studyId: 's',
      stacks: stacks.map((slices, i) => ({ seriesId: `ax${i}`, type: 'AXIAL_T2' as const, slices: [...slices].reverse() })),
    });
    state.keypoints.set(keypointKey('SAGITTAL_T2_STIR', 'L3_L4', 'NONE'), {
      role: 'keypoints-sagittal-t2',
      level: 'L3_L4',
      side: 'NONE',
      seriesType: 'SAGITTAL_T2_STIR',
      seriesId: 'sag',
      sopInstanceUid: 'sag.7',
      instanceNumber: 8,
      instanceId: undefined,
      pixel: { x: 118.5, y: 140.25 },
      patientMm: point,
      score: 1,
    });
    return state;
  };

  it('lands on the nearest slice of the right stack among tilted stacks', () => {
    // Stack 1 (tilt 12 deg) passes 1.1 mm from the point at its slice 3; the others are farther.
    const state = stateWith([axialStack(-8, 2, 2.5, 'a'), axialStack(12, 3, 1.1, 'b'), axialStack(25, 1, -2, 'c')]);
    const plan = planView(state, view, target, { level: 'L3_L4', side: 'NONE' });
    if (isUnavailable(plan)) throw new Error(plan.message);
    expect(plan.stack.seriesId).toBe('ax1');
    expect(plan.stack.slices[plan.window.centre].sopInstanceUid).toBe('b.3');
    expect(plan.window.indices.map((i) => plan.stack.slices[i].sopInstanceUid)).toEqual(['b.2', 'b.3', 'b.4']);
  });

  it('reports a miss when no slice is within 5 mm, and accepts 4.9 mm', () => {
    const far = planView(stateWith([axialStack(5, 0, 6, 'a')]), view, target, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(far) && far.code).toBe('AXIAL_PROJECTION_MISS');
    // The whole stack lies 6 mm and more above the point; single slices 4.9 and 5.1 mm away straddle the limit.
    const single = axialStack(5, 0, 4.9, 'z').slice(0, 1);
    const near = planView(stateWith([single]), view, target, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(near)).toBe(false);
    const tooFar = planView(stateWith([axialStack(5, 0, 5.1, 'y').slice(0, 1)]), view, target, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(tooFar) && tooFar.code).toBe('AXIAL_PROJECTION_MISS');
  });

  it('says why when the Sag T2 keypoint is missing or there is no axial series', () => {
    const state = new StudyState({ studyId: 's', stacks: [{ seriesId: 'ax', type: 'AXIAL_T2', slices: axialStack(0, 2, 0, 'a') }] });
    const noKp = planView(state, view, target, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(noKp) && noKp.code).toBe('KEYPOINT_MISSING');
    const none = planView(new StudyState({ studyId: 's', stacks: [] }), view, target, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(none) && none.code).toBe('NO_SERIES');
  });

  it('refuses an ROI that does not touch the image, and centres a side-less axial ROI between the two sides', () => {
    const state = stateWith([axialStack(0, 2, 0, 'a')]);
    const roiView: ViewSpec = { ...view, crop: 'roi' };
    const roiTarget = { slices: 5, rows: 32, cols: 32, roiMm: 50 };
    const axialKp = (side: 'LEFT' | 'RIGHT', x: number, y: number) =>
      state.keypoints.set(keypointKey('AXIAL_T2', 'L3_L4', side), {
        role: 'keypoints-axial',
        level: 'L3_L4',
        side,
        seriesType: 'AXIAL_T2',
        seriesId: 'ax0',
        sopInstanceUid: 'a.2',
        instanceNumber: 3,
        instanceId: undefined,
        pixel: { x, y },
        patientMm: [0, 0, 0],
        score: 1,
      });
    axialKp('LEFT', 80, 60);
    axialKp('RIGHT', 40, 70);
    const spinal = planView(state, roiView, roiTarget, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(spinal) ? spinal : spinal.centre).toEqual({ x: 60, y: 65 });
    axialKp('LEFT', 400, 60); // 50 mm = 66.7 px at 0.75 mm: the ROI spans x 366.7..433.3, the image ends at 127.5
    const off = planView(state, { ...roiView, side: 'LEFT' }, roiTarget, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(off) && off.code).toBe('ROI_OUT_OF_BOUNDS');
  });
});
