// The preprocessing rewrite of issue 15 (cached tap tables, a reused scratch buffer, ROIs read in place, the
// z-score's sum taken while resampling) must produce the very tensors the code it replaced produced: bit for bit,
// on every model input of real synthetic studies and on the edge cases (ROI boxes on the image edge and crossing it,
// axial windows that cross into the next stack, odd and mirrored sizes, maps reaching outside the image).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageFrame } from '../../../src/domain/image.js';
import { LEVELS, type Level, type SeriesType, type Side } from '../../../src/domain/vocabulary.js';
import type { ModelManifest } from '../../../src/inference/manifest.js';
import { readManifestFile } from '../../../src/inference/model-set.js';
import { prepareInputs } from '../../../src/inference/pipeline/model-inputs.js';
import { keypointKey, StudyState } from '../../../src/inference/pipeline/study-state.js';
import { resampleBicubic, type OutsidePolicy } from '../../../src/inference/preprocess/bicubic.js';
import { resizeAxis, type PixelMap } from '../../../src/inference/preprocess/pixel-map.js';
import type { Preprocessor } from '../../../src/inference/preprocess/preprocessor.js';
import { renderBatch, renderTask, type RenderBatch, type RenderTask } from '../../../src/inference/preprocess/render.js';
import { cutOutMap, seedRoiBox, type RoiBox } from '../../../src/inference/preprocess/roi.js';
import { zscoreInPlace, zscoreWithSum } from '../../../src/inference/preprocess/zscore.js';
import type { ModelRole } from '../../../src/inference/roles.js';
import { resampleBicubic as legacyResample } from '../../support/legacy-preprocess/bicubic.js';
import { renderBatch as legacyRenderBatch, renderTask as legacyRenderTask } from '../../support/legacy-preprocess/render.js';
import { zscoreInPlace as legacyZscore } from '../../support/legacy-preprocess/zscore.js';
import { syntheticStudy, type SyntheticStudy } from './support/synthetic-study.js';

const DEMO = resolve(import.meta.dirname, '../../../models/demo');
const ROLES: readonly ModelRole[] = [
  'keypoints-sagittal-t2',
  'keypoints-sagittal-t1',
  'keypoints-axial',
  'classifier-spinal',
  'classifier-foraminal',
  'classifier-subarticular',
  'classifier-global',
];

/**
 * Bit-level equality (toEqual would pass -0 for 0), except that any NaN equals any NaN: a NaN's sign and payload
 * depend on the CPU and on which V8 tier ran the arithmetic (x86's default NaN is negative, a propagated one keeps
 * its operand's bits), so a CI machine once saw "NaN vs NaN" where this machine saw identical bits.
 */
function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let firstDiff = -1;
  for (let i = 0; i < a.length && firstDiff < 0; i++) {
    const bothNaN = Number.isNaN(actual[i]) && Number.isNaN(expected[i]);
    if (a[i] !== e[i] && !bothNaN) firstDiff = i;
  }
  expect(firstDiff === -1 ? 'identical' : `differs at ${firstDiff}: ${actual[firstDiff]} vs ${expected[firstDiff]}`, what).toBe(
    'identical',
  );
}

type At = { pixel: { x: number; y: number }; sop: string };

/** The synthetic study's true points as pipeline keypoints, moved by `shift` (source pixels) to reach edges. */
function stateWithKeypoints(prefix: string, study: SyntheticStudy, shift: (series: SeriesType, level: Level, at: At) => At): StudyState {
  const state = new StudyState({ studyId: prefix, stacks: study.stacks });
  const put = (role: ModelRole, series: SeriesType, level: Level, side: Side, at: At) => {
    const moved = shift(series, level, at);
    const stack = study.stacks.find((s) => s.slices.some((x) => x.sopInstanceUid === moved.sop));
    if (!stack) throw new Error(`no stack holds ${moved.sop}`);
    state.keypoints.set(keypointKey(series, level, side), {
      role,
      level,
      side,
      seriesType: series,
      seriesId: stack.seriesId,
      sopInstanceUid: moved.sop,
      instanceNumber: undefined,
      instanceId: undefined,
      pixel: moved.pixel,
      patientMm: [0, 0, 0],
      score: 1,
    });
  };
  for (const level of LEVELS) {
    put('keypoints-sagittal-t2', 'SAGITTAL_T2_STIR', level, 'NONE', study.sagT2[level]);
    for (const side of ['LEFT', 'RIGHT'] as const) {
      put('keypoints-sagittal-t1', 'SAGITTAL_T1', level, side, study.sagT1[side][level]);
      put('keypoints-axial', 'AXIAL_T2', level, side, study.axial[level][side]);
    }
  }
  return state;
}

/** Renders with today's code and keeps every batch, so the legacy code can render the same batches. */
function recordingPreprocessor(batches: RenderBatch[]): Preprocessor {
  return {
    render: (batch) => {
      batches.push(batch);
      return Promise.resolve(renderBatch(batch));
    },
    close: () => Promise.resolve(),
  };
}

describe('preprocessing rewrite: identical tensors', () => {
  it('renders every demo model input of synthetic studies exactly as the replaced code did', async () => {
    const manifests: ModelManifest[] = await Promise.all(ROLES.map((r) => readManifestFile(resolve(DEMO, `${r}-fold0.manifest.json`))));
    const roiMm = manifests.map((m) => (m.spec.kind === 'classifier' ? m.spec.roiMm : 0)).find((r) => r > 0) ?? 0;
    expect(roiMm).toBeGreaterThan(0);
    const plain = syntheticStudy('id-a');
    const tilted = syntheticStudy('id-b', { axialTiltDeg: 7, axialTiltPerLevelDeg: 4 });
    const states = [
      stateWithKeypoints('id-a', plain, (_s, _l, at) => at),
      // Study b: Sag T2 points pushed towards the top-left corner (ROI boxes touch or cross the edge), axial points
      // moved to each stack's first slice: the series runs in reverse (the seed's direction fix), so the ROI window
      // around it crosses into the previous level's stack, and at L1/L2 runs past the series' end (zero channels).
      stateWithKeypoints('id-b', tilted, (series, level, at) => {
        // L1/L2's box starts exactly at column 0 and row 0 (Sag T2 pixels are 1.1 mm wide, 0.9 mm tall).
        if (series === 'SAGITTAL_T2_STIR' && level === 'L1_L2')
          return { ...at, pixel: { x: roiMm / 1.1 / 2 + 0.1, y: roiMm / 0.9 / 2 + 0.2 } };
        if (series === 'SAGITTAL_T2_STIR') return { ...at, pixel: { x: at.pixel.x - 27.5, y: at.pixel.y - 9.25 } };
        if (series === 'AXIAL_T2') return { ...at, sop: at.sop.replace(/\.2$/, '.0') };
        return at;
      }),
    ];
    const batches: RenderBatch[] = [];
    const cache = new Map<string, Promise<Float32Array>>();
    const tensors: Float32Array[] = [];
    for (const m of manifests) tensors.push((await prepareInputs(m, states, recordingPreprocessor(batches), cache)).tensor);

    const tasks = batches.flatMap((b) => b.tasks);
    const channels = tasks.flatMap((t) => t.channels);
    // The inputs really cover what the rewrite changed: ROIs read in place, zero channels, several sizes.
    expect(channels.filter((c) => c.cut).length).toBeGreaterThan(50);
    expect(channels.filter((c) => c.frame < 0).length).toBeGreaterThan(0);
    expect(new Set(tasks.map((t) => `${t.rows}x${t.cols}`)).size).toBeGreaterThan(1);
    expect(channels.some((c) => c.cut && (c.cut.x1 === 0 || c.cut.y1 === 0))).toBe(true);
    for (const [i, batch] of batches.entries()) {
      const expected = legacyRenderBatch(batch);
      const actual = renderBatch(batch);
      expected.forEach((e, t) => expectSameBits(actual[t], e, `batch ${i} task ${t}`));
    }
    // The assembled model tensors too (slots copied from the shared slot cache in place).
    expect(tensors.every((t) => t.length > 0)).toBe(true);
  });

  it('matches on odd sizes, mirrors, up- and down-sampling and boxes on every edge', () => {
    const frame = (rows: number, columns: number, seed: number): ImageFrame => ({
      rows,
      columns,
      pixels: Float32Array.from({ length: rows * columns }, (_, i) => Math.sin(i * 0.37 * seed) * 700 + ((i * seed) % 97) - 40),
    });
    const frames = [frame(37, 53, 1), frame(64, 64, 2), frame(9, 7, 3), frame(255, 129, 4)];
    const boxes: { frame: number; box: RoiBox }[] = [
      { frame: 0, box: { x1: 0, x2: 11, y1: 0, y2: 9 } }, // top-left corner
      { frame: 0, box: { x1: 40, x2: 53, y1: 24, y2: 37 } }, // bottom-right corner
      { frame: 1, box: { x1: 3, x2: 64, y1: 1, y2: 2 } }, // one row tall
      { frame: 2, box: { x1: 6, x2: 7, y1: 0, y2: 9 } }, // one column wide on the right edge
      { frame: 3, box: seedRoiBox({ x: 64.5, y: 127.25 }, [0.7, 0.9], 60) },
    ];
    const sizes: [number, number][] = [
      [17, 29],
      [64, 64],
      [1, 5],
      [127, 3],
      [256, 256],
    ];
    let checked = 0;
    for (const [rows, cols] of sizes) {
      for (const mirror of [false, true]) {
        const task: RenderTask = {
          rows,
          cols,
          normalisation: 'zscore-stack',
          channels: [
            ...boxes.map((b) => ({ frame: b.frame, cut: b.box, map: cutOutMap(b.box, rows, cols, mirror) })),
            { frame: -1, map: { x: { offset: 0, scale: 1 }, y: { offset: 0, scale: 1 } } },
            ...frames.map((f, i) => ({ frame: i, map: { x: resizeAxis(f.columns, cols), y: resizeAxis(f.rows, rows) } })),
          ],
        };
        expectSameBits(renderTask(frames, task), legacyRenderTask(frames, task), `${rows}x${cols} mirror ${mirror}`);
        expectSameBits(
          renderTask(frames, { ...task, normalisation: 'none' }),
          legacyRenderTask(frames, { ...task, normalisation: 'none' }),
          `${rows}x${cols} mirror ${mirror}, not normalised`,
        );
        checked++;
      }
    }
    expect(checked).toBe(10);
  });

  it('matches the old resampler on maps that reach outside the image, with either outside policy', () => {
    const src: ImageFrame = { rows: 23, columns: 31, pixels: Float32Array.from({ length: 23 * 31 }, (_, i) => (i * 7919) % 211) };
    const maps: PixelMap[] = [
      { x: { offset: -6.3, scale: 0.8 }, y: { offset: 18, scale: 0.45 } }, // crosses the left and bottom edges
      { x: { offset: 40, scale: -1.7 }, y: { offset: -30, scale: 1 } }, // mirrored, starts past the right edge
      { x: { offset: 100, scale: 1 }, y: { offset: 0, scale: 1 } }, // wholly outside
      { x: resizeAxis(31, 13), y: resizeAxis(23, 41) },
    ];
    for (const [i, map] of maps.entries()) {
      for (const outside of ['zero', 'replicate'] as OutsidePolicy[]) {
        const out = new Float32Array(3 + 19 * 17).fill(5);
        const old = out.slice();
        expectSameBits(
          resampleBicubic(src, map, 19, 17, outside, out, 3),
          legacyResample(src, map, 19, 17, outside, old, 3),
          `map ${i} ${outside}`,
        );
      }
    }
  });

  it('keeps the old bits on same-size axes (the copy path) with zeros, negative zeros, NaN and infinities', () => {
    const values = [0, -0, 3.5, -2, 1e30, -7.25, 0, 12];
    const clean: ImageFrame = {
      rows: 16,
      columns: 16,
      pixels: Float32Array.from({ length: 256 }, (_, i) => values[(i * 5) % values.length]),
    };
    const dirty: ImageFrame = { ...clean, pixels: clean.pixels.slice() };
    dirty.pixels[37] = Number.NaN;
    dirty.pixels[90] = Number.POSITIVE_INFINITY;
    dirty.pixels[200] = Number.NEGATIVE_INFINITY;
    const same = resizeAxis(16, 16);
    const grids: [string, PixelMap, number, number][] = [
      ['both axes same size', { x: same, y: same }, 16, 16],
      ['columns same size, rows resized', { x: same, y: resizeAxis(16, 11) }, 11, 16],
      ['rows same size, columns resized', { x: resizeAxis(16, 23), y: same }, 16, 23],
    ];
    for (const frame of [clean, dirty])
      for (const [what, map, rows, cols] of grids) {
        const legacy = legacyResample(frame, map, rows, cols, 'replicate');
        expectSameBits(
          resampleBicubic(frame, map, rows, cols, 'replicate'),
          legacy,
          `${what}, ${frame === clean ? 'finite' : 'non-finite'}`,
        );
      }
    // A negative zero between finite neighbours comes out +0 (0 * a + -0 is +0), as the old expression gave it,
    // not the -0 a plain copy would keep.
    const out = resampleBicubic(clean, { x: same, y: same }, 16, 16, 'replicate');
    expect(Object.is(clean.pixels[5], -0)).toBe(true);
    expect(Object.is(out[5], 0)).toBe(true);
    const task: RenderTask = { rows: 16, cols: 16, normalisation: 'zscore-stack', channels: [{ frame: 0, map: { x: same, y: same } }] };
    expectSameBits(renderTask([dirty], task), legacyRenderTask([dirty], task), 'non-finite stack z-scored');
  });

  it('z-scores from a precomputed sum exactly as the old two-pass code, including a flat stack', () => {
    const data = Float32Array.from({ length: 1001 }, (_, i) => Math.cos(i) * 1e4 + 1e6);
    const a = data.slice();
    const b = data.slice();
    let sum = 0;
    for (const v of data) sum += v;
    expect(zscoreWithSum(a, sum)).toEqual(legacyZscore(b));
    expectSameBits(a, b, 'z-scored');
    const flat = new Float32Array(10).fill(3);
    expect(zscoreInPlace(flat).std).toBe(0);
    expectSameBits(flat, new Float32Array(10).fill(3), 'flat stack untouched');
  });
});
