import { describe, expect, it } from 'vitest';
import type { SliceGeometry, Vec3 } from '../../../src/domain/image.js';
import { pixelToPatient } from '../../../src/dicom/geometry.js';
import { heatmapPeak } from '../../../src/inference/keypoints/heatmap-peak.js';
import { StudyState, keypointKey } from '../../../src/inference/pipeline/study-state.js';
import { planView } from '../../../src/inference/pipeline/views.js';
import { renderTask } from '../../../src/inference/preprocess/render.js';
import { boxInside, cutOutMap, roundHalfEven, seedRoiBox } from '../../../src/inference/preprocess/roi.js';
import type { SliceRef } from '../../../src/inference/stack.js';
import { isUnavailable } from '../../../src/inference/types.js';
import type { ViewSpec } from '../../../src/inference/view-presets.js';
import { gaussianImage } from './support/synthetic-study.js';

const grid = { rows: 200, columns: 180, pixelSpacing: [0.7, 0.9] as const };

describe("50 mm ROI (the seed's get_roi box)", () => {
  const dotPixel = { x: 93.4, y: 71.8 };
  const frame = { rows: 200, columns: 180, pixels: gaussianImage(200, 180, [dotPixel], 0, 1000, 2) };
  const centre = { x: 100, y: 80 };
  // 50 mm / 0.9 mm = 55.56 px wide, 50 / 0.7 = 71.43 px high: x1 = round(72.22) = 72, x2 = round(127.78) = 128,
  // y1 = round(44.29) = 44, y2 = round(115.71) = 116.
  const box = seedRoiBox(centre, grid.pixelSpacing, 50);
  const sx = (box.x2 - box.x1) / 64;
  const sy = (box.y2 - box.y1) / 64;
  // cv2.resize of the cut-out: cut-out pixel = (u + 0.5) * scale - 0.5.
  const expectU = (dotPixel.x - box.x1 + 0.5) / sx - 0.5;
  const expectV = (dotPixel.y - box.y1 + 0.5) / sy - 0.5;
  const render = (mirror: boolean) =>
    renderTask([frame], {
      channels: [{ frame: 0, map: cutOutMap(box, 64, 64, mirror), cut: box }],
      rows: 64,
      cols: 64,
      normalisation: 'zscore-stack',
    });

  it('cuts the integer box [round(x - s/2), round(x + s/2)) with Python rounding', () => {
    expect(box).toEqual({ x1: 72, x2: 128, y1: 44, y2: 116 });
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3]);
    expect(boxInside(box, grid)).toBe(true);
  });

  it('shows a bright dot where the resized cut-out puts it', () => {
    const peak = heatmapPeak(render(false), 0, 64, 64, true);
    expect(Math.abs(peak.x - expectU)).toBeLessThan(0.3);
    expect(Math.abs(peak.y - expectV)).toBeLessThan(0.3);
  });

  it('mirrors left-right: the dot moves to 63 - u, same row', () => {
    const straight = render(false);
    const mirrored = render(true);
    for (let v = 0; v < 64; v++) for (let u = 0; u < 64; u++) expect(mirrored[v * 64 + u]).toBeCloseTo(straight[v * 64 + 63 - u], 4);
  });

  it("repeats the cut-out's own edge pixels, never the neighbouring image pixels", () => {
    // Left of the box the image is 1000, inside 0: a cut-out that ends exactly at the step never sees the 1000s.
    const step = { rows: 40, columns: 40, pixels: Float32Array.from({ length: 1600 }, (_, i) => (i % 40 < 10 ? 1000 : 0)) };
    const cut = { x1: 10, x2: 30, y1: 10, y2: 30 };
    const out = renderTask([step], {
      channels: [{ frame: 0, map: cutOutMap(cut, 32, 32, false), cut }],
      rows: 32,
      cols: 32,
      normalisation: 'none',
    });
    expect(Math.max(...out)).toBe(0);
  });

  it('rejects a box that crosses the image edge (the seed leaves that ROI zero)', () => {
    expect(boxInside(seedRoiBox({ x: 3, y: 100 }, grid.pixelSpacing, 50), grid)).toBe(false);
    expect(boxInside(seedRoiBox({ x: 152.2, y: 100 }, grid.pixelSpacing, 50), grid)).toBe(true); // x2 = round(179.98) = 180
    expect(boxInside(seedRoiBox({ x: 152.8, y: 100 }, grid.pixelSpacing, 50), grid)).toBe(false); // x2 = round(180.58) = 181
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
    expect(plan.series.seriesId).toBe('ax1');
    expect(plan.keypointSlice?.sopInstanceUid).toBe('b.3');
    expect(plan.window.indices.map((i) => plan.series.slices[i].sopInstanceUid).sort()).toEqual(['b.2', 'b.3', 'b.4']);
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
    // The seed's nanmean of the two sides' x_norm, y_norm.
    expect(isUnavailable(spinal) ? spinal : spinal.centreNorm).toEqual({ x: (80 / 128 + 40 / 128) / 2, y: (60 / 128 + 70 / 128) / 2 });
    axialKp('LEFT', 100, 60); // 50 mm = 66.7 px at 0.75 mm: x2 = round(133.3) = 133 > 128 columns
    const off = planView(state, { ...roiView, side: 'LEFT' }, roiTarget, { level: 'L3_L4', side: 'NONE' });
    expect(isUnavailable(off) && off.code).toBe('ROI_OUT_OF_BOUNDS');
  });
});
