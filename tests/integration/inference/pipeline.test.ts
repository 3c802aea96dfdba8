import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, LEVELS, type Condition, type Level } from '../../../src/domain/vocabulary.js';
import { loadModelSet, type LoadedModelSet } from '../../../src/inference/model-set.js';
import { runPipeline, runStudyPipeline } from '../../../src/inference/pipeline/run.js';
import { PREVALENCE_PRIOR } from '../../../src/inference/pipeline/prior.js';
import { WorkerPreprocessor } from '../../../src/inference/preprocess/preprocessor.js';
import { referenceManifest } from '../../../src/inference/reference-layout.js';
import { renderStudySamples } from '../../../src/inference/render-study.js';
import type { PredictionRow, StudyResult } from '../../../src/inference/types.js';
import { DEFAULT_LOGITS, writeFixtureModelSet } from '../../fixtures/models/fixture-model-set.js';
import { syntheticStudy, type SyntheticStudy } from '../../unit/inference/support/synthetic-study.js';

let dir: string;
let set: LoadedModelSet;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spinegraph-pipeline-'));
  await writeFixtureModelSet(join(dir, 'full'));
  set = await loadModelSet(join(dir, 'full'), { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await set?.release();
  await rm(dir, { recursive: true, force: true });
});

const study = (id: string, s: SyntheticStudy) => ({ studyId: id, stacks: s.stacks });
// The fixture heatmap models copy their input, so their peaks sit where cv2.resize put the spot; sub-pixel
// refinement (a deviation from the seed's plain argmax, off by default) keeps those peaks precise enough here.
const REFINED = { refineKeypoints: true } as const;
const row = (r: StudyResult, c: Condition, l: Level): PredictionRow => {
  const found = r.predictions.find((p) => p.condition === c && p.level === l);
  if (!found) throw new Error(`no row ${c} ${l}`);
  return found;
};

// Independent expectation, as the seed's notebook combines models: the softmax of the mean of the logits of every
// model and fold that grades the row (spinal has two folds, so it weighs twice against the global model there).
const softmax = (l: readonly number[]) => {
  const e = l.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const avg = (xs: number[][]) => xs[0].map((_, i) => xs.reduce((a, x) => a + x[i], 0) / xs.length);
const consts = (l: unknown) => l as number[];
function expected(condition: Condition, groups: { split: boolean; global: boolean }): number[] {
  const g = consts(DEFAULT_LOGITS.global);
  const globalPart = [g.slice(CONDITIONS.indexOf(condition) * 3, CONDITIONS.indexOf(condition) * 3 + 3)];
  const split =
    condition === 'SPINAL_CANAL_STENOSIS'
      ? DEFAULT_LOGITS.spinal.map((f) => consts(f))
      : condition.includes('FORAMINAL')
        ? [consts(DEFAULT_LOGITS.foraminal)]
        : [consts(DEFAULT_LOGITS.subarticular)];
  return softmax(avg([...(groups.split ? split : []), ...(groups.global ? globalPart : [])]));
}
const triple = (p: PredictionRow) => [p.normalMild, p.moderate, p.severe];

describe('runStudyPipeline with fixture models', () => {
  it('puts every keypoint back on the source pixel and patient position it came from', async () => {
    const s = syntheticStudy('kp', { axialTiltDeg: 8, axialTiltPerLevelDeg: 4 });
    const r = await runStudyPipeline(study('kp', s), set, REFINED);
    expect(r.missingKeypoints).toEqual([]);
    expect(r.keypoints).toHaveLength(5 + 10 + 10);
    for (const k of r.keypoints) {
      const want =
        k.seriesType === 'SAGITTAL_T2_STIR'
          ? s.sagT2[k.level]
          : k.seriesType === 'SAGITTAL_T1'
            ? s.sagT1[k.side as 'LEFT' | 'RIGHT'][k.level]
            : s.axial[k.level][k.side as 'LEFT' | 'RIGHT'];
      expect(k.sopInstanceUid).toBe(want.sop);
      expect(k.instanceId).toBe(`id-${want.sop}`);
      // The seed's decoding (x = x_heat * columns / W) of a peak at cv2.resize's position of the spot
      // ((x + 0.5) * W / columns - 0.5) lands 0.5 - 0.5 * columns / W px from it (the seed's own half-pixel offset).
      const [rows, cols] = k.seriesType === 'SAGITTAL_T2_STIR' ? [180, 128] : k.seriesType === 'SAGITTAL_T1' ? [190, 128] : [128, 128];
      const shift = { x: 0.5 - (0.5 * cols) / 64, y: 0.5 - (0.5 * rows) / 64 };
      expect(Math.hypot(k.pixel.x - want.pixel.x - shift.x, k.pixel.y - want.pixel.y - shift.y)).toBeLessThan(0.5);
      expect(Math.hypot(...([0, 1, 2].map((a) => k.patientMm[a] - want.patient[a]) as [number, number, number]))).toBeLessThan(1.6);
      expect(k.score).toBeGreaterThan(1);
    }
    expect(new Set(r.keypoints.filter((k) => k.role === 'keypoints-sagittal-t2').map((k) => k.level))).toEqual(new Set(LEVELS));
  });

  it('returns 25 rows that sum to 1 and equal the hand-computed ensemble', async () => {
    const r = await runStudyPipeline(study('p', syntheticStudy('p')), set, REFINED);
    expect(r.predictions).toHaveLength(25);
    for (const p of r.predictions) {
      expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 9);
      expect(p.fallback).toBeUndefined();
      expect([p.modelsUsed, p.modelsExpected]).toEqual([2, 2]);
      const want = expected(p.condition, { split: true, global: true });
      triple(p).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    }
    expect(Object.keys(r.timings.stagesMs)).toEqual(
      expect.arrayContaining(['load', 'preprocess:keypoints-sagittal-t2', 'model:classifier-spinal', 'ensemble']),
    );
  });

  it('loads only the slices the models use', async () => {
    const s = syntheticStudy('lazy');
    await runStudyPipeline(study('lazy', s), set, REFINED);
    // Sag T2: the 5 middle slices. Sag T1: keypoint windows 10-12 and 1-3, ROI windows 9-13 / 10-14 and 0-4: 11 distinct.
    // Axial: 5 per level.
    expect(s.loads.count).toBe(5 + 11 + 25);
  });
});

describe('missing and unusable inputs', () => {
  it('still returns 25 rows without an axial series, with the reason on every affected row', async () => {
    const r = await runStudyPipeline(study('noax', syntheticStudy('noax', { withAxial: false })), set, REFINED);
    expect(r.predictions).toHaveLength(25);
    for (const p of r.predictions) {
      expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 9);
      // Every classifier in the set needs an axial ROI somewhere except the foraminal split model.
      expect(p.fallbackCodes).toEqual(['NO_SERIES']);
    }
    for (const level of LEVELS) {
      // Spinal: both groups still run, with the axial slot zero-filled as in training.
      const spinal = row(r, 'SPINAL_CANAL_STENOSIS', level);
      expect(spinal.fallback).toBe(
        'zero-filled ROIs: NO_SERIES: AXIAL_SPINAL: no AXIAL_T2 series; NO_SERIES: AXIAL_LEFT: no AXIAL_T2 series; NO_SERIES: AXIAL_RIGHT: no AXIAL_T2 series',
      );
      triple(spinal).forEach((v, i) => expect(v).toBeCloseTo(expected('SPINAL_CANAL_STENOSIS', { split: true, global: true })[i], 6));
      // Subarticular: the split model has nothing but the missing ROI, so only the global model grades it.
      const sub = row(r, 'RIGHT_SUBARTICULAR_STENOSIS', level);
      expect(sub.fallback).toMatch(
        /^partial ensemble \(1 of 2 model groups\): NO_SERIES: AXIAL_RIGHT: no AXIAL_T2 series; zero-filled ROIs: NO_SERIES: AXIAL_LEFT/,
      );
      expect([sub.modelsUsed, sub.modelsExpected]).toEqual([1, 2]);
      triple(sub).forEach((v, i) => expect(v).toBeCloseTo(expected('RIGHT_SUBARTICULAR_STENOSIS', { split: false, global: true })[i], 6));
    }
    expect(r.missingKeypoints.filter((m) => m.role === 'keypoints-axial')).toHaveLength(10);
    expect(r.keypoints.filter((k) => k.role !== 'keypoints-axial')).toHaveLength(15);
  });

  it('falls back to the prevalence prior when no model can grade a row', async () => {
    const d = join(dir, 'split-only');
    await writeFixtureModelSet(d, { omit: ['classifier-global'] });
    const splitOnly = await loadModelSet(d, { intraOpNumThreads: 1 });
    try {
      const r = await runStudyPipeline(study('noax2', syntheticStudy('noax2', { withAxial: false })), splitOnly, REFINED);
      const sub = row(r, 'LEFT_SUBARTICULAR_STENOSIS', 'L2_L3');
      expect(triple(sub)).toEqual([...PREVALENCE_PRIOR.subarticular]);
      expect(sub.fallback).toBe('prevalence prior: NO_SERIES: AXIAL_LEFT: no AXIAL_T2 series');
      expect([sub.modelsUsed, sub.modelsExpected]).toEqual([0, 1]);
      expect(row(r, 'LEFT_NEURAL_FORAMINAL_NARROWING', 'L2_L3').fallback).toBeUndefined();
    } finally {
      await splitOnly.release();
    }
  });

  it('runs a sample with no usable ROI on zeros when the manifest says emptySample: zeros (the seed does)', async () => {
    const d = join(dir, 'empty-zeros');
    await writeFixtureModelSet(d, { omit: ['classifier-global'] });
    for (const file of (await readdir(d)).filter((f) => f.startsWith('classifier-') && f.endsWith('.manifest.json'))) {
      const m = JSON.parse(await readFile(join(d, file), 'utf8')) as { input: Record<string, unknown> };
      m.input.emptySample = 'zeros';
      await writeFile(join(d, file), JSON.stringify(m));
    }
    const zeros = await loadModelSet(d, { intraOpNumThreads: 1 });
    try {
      const r = await runStudyPipeline(study('noax3', syntheticStudy('noax3', { withAxial: false })), zeros, REFINED);
      // Where the skipping set gives the prior (previous test), the split model grades the all-zero sample.
      const sub = row(r, 'LEFT_SUBARTICULAR_STENOSIS', 'L2_L3');
      expect(sub.fallback).toBe('zero-filled ROIs: NO_SERIES: AXIAL_LEFT: no AXIAL_T2 series');
      expect([sub.modelsUsed, sub.modelsExpected]).toEqual([1, 1]);
      triple(sub).forEach((v, i) => expect(v).toBeCloseTo(expected('LEFT_SUBARTICULAR_STENOSIS', { split: true, global: false })[i], 6));
    } finally {
      await zeros.release();
    }
  });

  it('turns a slice that fails to load into a fallback for what needed it, not a crash', async () => {
    const s = syntheticStudy('bad', { failing: ['bad.ax.L4_L5.2'] });
    const r = await runStudyPipeline(study('bad', s), set, REFINED);
    expect(r.predictions).toHaveLength(25);
    const spinal = row(r, 'SPINAL_CANAL_STENOSIS', 'L4_L5');
    expect(spinal.fallbackCodes).toEqual(['SLICE_LOAD_FAILED']);
    expect(spinal.fallback).toContain('slice bad.ax.L4_L5.2 of series bad-ax could not be loaded: truncated pixel data');
    expect(row(r, 'LEFT_SUBARTICULAR_STENOSIS', 'L4_L5').fallback).toMatch(
      /^partial ensemble \(1 of 2 model groups\): SLICE_LOAD_FAILED: AXIAL_LEFT: slice bad\.ax\.L4_L5\.2/,
    );
    for (const level of ['L1_L2', 'L2_L3', 'L3_L4', 'L5_S1'] as const)
      for (const c of CONDITIONS) expect(row(r, c, level).fallback).toBeUndefined();
    expect(r.missingKeypoints).toEqual([
      expect.objectContaining({
        role: 'keypoints-axial',
        level: 'L4_L5',
        side: 'LEFT',
        reason: expect.objectContaining({ code: 'SLICE_LOAD_FAILED' }),
      }),
      expect.objectContaining({ role: 'keypoints-axial', level: 'L4_L5', side: 'RIGHT' }),
    ]);
  });

  it('flags levels whose Sag T2 point is more than 5 mm from every axial slice', async () => {
    const r = await runStudyPipeline(study('miss', syntheticStudy('miss', { axialLevels: ['L1_L2', 'L2_L3', 'L3_L4'] })), set, REFINED);
    for (const level of ['L4_L5', 'L5_S1'] as const) {
      expect(row(r, 'SPINAL_CANAL_STENOSIS', level).fallbackCodes).toEqual(['AXIAL_PROJECTION_MISS']);
      expect(row(r, 'RIGHT_SUBARTICULAR_STENOSIS', level).fallback).toMatch(/no axial slice within 5 mm/);
    }
    expect(row(r, 'SPINAL_CANAL_STENOSIS', 'L3_L4').fallback).toBeUndefined();
  });
});

describe('batching and threads', () => {
  it('batches the samples of several studies into one run per model and gives the same answers', async () => {
    const calls = new Map<string, number[]>();
    const counted: LoadedModelSet = {
      ...set,
      models: set.models.map((m) => ({
        ...m,
        session: {
          ...m.session,
          run: (feeds) => {
            const first = Object.values(feeds)[0];
            calls.set(m.manifest.name, [...(calls.get(m.manifest.name) ?? []), first.dims[0]]);
            return m.session.run(feeds);
          },
        },
      })),
    };
    const studies = ['a', 'b', 'c'].map((id) => study(id, syntheticStudy(id, { axialTiltDeg: 5 })));
    const progress: number[] = [];
    const batched = await runPipeline(studies, counted, { ...REFINED, studiesPerBatch: 3, maxBatch: 64 }, (p) =>
      progress.push(p.studiesDone),
    );
    expect(progress).toEqual([3]);
    expect(calls.get('keypoints-sagittal-t2-fold0')).toEqual([3]);
    expect(calls.get('keypoints-sagittal-t1-fold0')).toEqual([6]);
    expect(calls.get('keypoints-axial-fold0')).toEqual([15]);
    expect(calls.get('classifier-foraminal-fold0')).toEqual([30]);
    expect(calls.get('classifier-spinal-fold0')).toEqual([15]);
    expect(calls.get('classifier-global-fold0')).toEqual([15]);

    const single = await runStudyPipeline(studies[1], set, { ...REFINED, maxBatch: 4 });
    expect(batched[1].studyId).toBe('b');
    expect(batched[1].predictions).toEqual(single.predictions);
    expect(batched[1].keypoints).toEqual(single.keypoints);
    expect(batched[0].timings.studiesInBatch).toBe(3);
  });

  it('keeps two batches under way: the next batch keypoint runs go before this batch classifiers, answers unchanged', async () => {
    const order: string[] = [];
    const logged: LoadedModelSet = {
      ...set,
      models: set.models.map((m) => ({
        ...m,
        session: { ...m.session, run: (feeds) => (order.push(m.manifest.role), m.session.run(feeds)) },
      })),
    };
    const studies = ['p', 'q', 'r'].map((id) => study(id, syntheticStudy(id)));
    const progress = (into: number[][]) => (p: { results: readonly StudyResult[] }) =>
      into.push(p.results.map((r) => studies.findIndex((s) => s.studyId === r.studyId)));
    const oneAtATime: number[][] = [];
    const serial = await runPipeline(studies, logged, { ...REFINED, studiesPerBatch: 1, batchesInFlight: 1 }, progress(oneAtATime));
    const serialOrder = order.splice(0);
    const overlapped: number[][] = [];
    const windowed = await runPipeline(studies, logged, { ...REFINED, studiesPerBatch: 1 }, progress(overlapped));
    // One at a time, batch 2's first run (Sag T2 keypoints) comes after all of batch 1's classifiers; two under
    // way, it comes before batch 1's first classifier run.
    const secondSagT2 = (o: readonly string[]) => o.indexOf('keypoints-sagittal-t2', o.indexOf('keypoints-sagittal-t2') + 1);
    const firstClassifier = (o: readonly string[]) => o.findIndex((r) => r.startsWith('classifier-'));
    expect(secondSagT2(serialOrder)).toBeGreaterThan(firstClassifier(serialOrder));
    expect(secondSagT2(order)).toBeLessThan(firstClassifier(order));
    expect(order.length).toBe(serialOrder.length);
    expect(overlapped).toEqual([[0], [1], [2]]);
    expect(oneAtATime).toEqual([[0], [1], [2]]);
    const strip = (r: StudyResult) => ({ ...r, timings: undefined });
    expect(windowed.map(strip)).toEqual(serial.map(strip));
  });

  it('renders identically on worker threads', async () => {
    const workers = new WorkerPreprocessor(2);
    try {
      const inline = await runStudyPipeline(study('w', syntheticStudy('w')), set, REFINED);
      const threaded = await runStudyPipeline(study('w', syntheticStudy('w')), set, { ...REFINED, preprocessor: workers });
      expect(threaded.keypoints).toEqual(inline.keypoints);
      expect(threaded.predictions).toEqual(inline.predictions);
    } finally {
      await workers.close();
    }
  });
});

describe('input-dependent classifiers', () => {
  it('mirrors right-side axial ROIs so both sides present the lateral marker on the same side', async () => {
    // Subarticular logits: severe = max(ROI columns 20-31) - max(columns 0-11). The synthetic marker lies lateral to
    // each subarticular point (image right for LEFT, image left for RIGHT): positive for both sides only if the
    // RIGHT crop is mirrored.
    const d = join(dir, 'mirror');
    await writeFixtureModelSet(d, {
      omit: ['classifier-global', 'classifier-spinal', 'classifier-foraminal'],
      logits: {
        subarticular: [
          0,
          0,
          [
            { slot: 0, scale: 1, cols: [20, 32] },
            { slot: 0, scale: -1, cols: [0, 12] },
          ],
        ],
      },
    });
    const mirrorSet = await loadModelSet(d, { intraOpNumThreads: 1 });
    try {
      const r = await runStudyPipeline(study('m', syntheticStudy('m')), mirrorSet, REFINED);
      for (const level of LEVELS) {
        const left = row(r, 'LEFT_SUBARTICULAR_STENOSIS', level);
        const right = row(r, 'RIGHT_SUBARTICULAR_STENOSIS', level);
        expect(left.severe).toBeGreaterThan(0.6);
        expect(right.severe).toBeCloseTo(left.severe, 2);
        expect(row(r, 'SPINAL_CANAL_STENOSIS', level).fallbackCodes).toEqual(['NO_MODEL']);
      }
    } finally {
      await mirrorSet.release();
    }
  });
});

describe('training export parity', () => {
  it('renders from given keypoints exactly the tensors inference fed the models', async () => {
    const fed = new Map<string, Float32Array>();
    const capturing: LoadedModelSet = {
      ...set,
      models: set.models.map((m) => ({
        ...m,
        session: {
          ...m.session,
          run: (feeds) => {
            fed.set(m.manifest.name, Float32Array.from(Object.values(feeds)[0].data));
            return m.session.run(feeds);
          },
        },
      })),
    };
    const s = syntheticStudy('exp', { axialTiltDeg: 6 });
    const result = await runStudyPipeline(study('exp', s), capturing, REFINED);
    const sizes = { keypointSize: 64, roiSize: 32 };
    for (const [role, model] of [
      ['keypoints-axial', 'keypoints-axial-fold0'],
      ['classifier-spinal', 'classifier-spinal-fold0'],
      ['classifier-global', 'classifier-global-fold0'],
      ['classifier-subarticular', 'classifier-subarticular-fold0'],
    ] as const) {
      const rendered = await renderStudySamples(referenceManifest(role, sizes), study('exp', s), result.keypoints);
      const joined = new Float32Array(rendered.samples.reduce((a, r) => a + r.tensor.length, 0));
      rendered.samples.forEach((r, i) => joined.set(r.tensor, i * r.tensor.length));
      expect(joined).toEqual(fed.get(model));
    }
    // The Sag T2 keypoint input's keypoint slice is the seed's middle file by instance number (the slice the seed
    // projects Sag T2 points through), and the input's channels are the middle 5 files.
    const kp = await renderStudySamples(referenceManifest('keypoints-sagittal-t2', sizes), study('exp', s), []);
    const slot = kp.samples[0].slots[0];
    expect(slot?.keypointSlice?.sopInstanceUid).toBe(s.sagT2.L3_L4.sop);
    expect(slot?.channelSlices).toHaveLength(5);
    expect(slot?.channelSlices[2]?.sopInstanceUid).toBe(s.sagT2.L3_L4.sop);
  });
});
