// The pieces of `npm run bench -- inference` that decide its numbers: label priors on the model grid, the sample
// counter, the study reader and the markdown arithmetic (the Python FLOP counter and positional prior, which need
// PyTorch: tests/integration/bench-full-models.test.ts).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingModelSet } from '../../../bench/inference/counting-set.js';
import { keypointPriors } from '../../../bench/inference/keypoint-priors.js';
import { inferenceMarkdown, type InferenceBenchResults } from '../../../bench/inference/report.js';
import { rsnaStudyInputs } from '../../../bench/inference/rsna-study-input.js';
import { LEVEL_INFO, LEVELS } from '../../../src/domain/vocabulary.js';
import type { LoadedModel, LoadedModelSet } from '../../../src/inference/model-set.js';
import type { ModelSession } from '../../../src/inference/runtime/onnx-session.js';
import { generateDataset } from '../../../src/synth/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-inference-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keypointPriors', () => {
  const csvLevel = (i: number) => LEVEL_INFO[LEVELS[i]].csvName;

  it('averages label positions per heatmap channel and maps source pixels onto the model grid', async () => {
    const lines = ['study_id,series_id,instance_number,condition,level,x,y'];
    for (let i = 0; i < 5; i++) {
      // Two studies per level: means (10i + 1, 20i + 1) for the canal, (30, 40 + i) for the foramina.
      lines.push(`1,11,8,Spinal Canal Stenosis,${csvLevel(i)},${10 * i},${20 * i}`);
      lines.push(`2,21,8,Spinal Canal Stenosis,${csvLevel(i)},${10 * i + 2},${20 * i + 2}`);
      lines.push(`1,12,3,Left Neural Foraminal Narrowing,${csvLevel(i)},28,${40 + i}`);
      lines.push(`1,12,14,Right Neural Foraminal Narrowing,${csvLevel(i)},32,${40 + i}`);
      lines.push(`1,13,${i},Left Subarticular Stenosis,${csvLevel(i)},${150 + i},100`);
      lines.push(`1,13,${i},Right Subarticular Stenosis,${csvLevel(i)},${100 - i},100`);
    }
    const root = join(dir, 'priors');
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'train_label_coordinates.csv'), lines.join('\n') + '\n');
    const toGrid = (v: number) => (v + 0.5) * 2 - 0.5; // 256-px source, 512-px model input
    const p = await keypointPriors(root, 256, 512);
    expect(p['keypoints-sagittal-t2']).toEqual([0, 1, 2, 3, 4].map((i) => [toGrid(10 * i + 1), toGrid(20 * i + 1)]));
    expect(p['keypoints-sagittal-t1']).toEqual([0, 1, 2, 3, 4].map((i) => [toGrid(30), toGrid(40 + i)]));
    expect(p['keypoints-axial']).toEqual([
      [toGrid(152), toGrid(100)],
      [toGrid(98), toGrid(100)],
    ]);
  });

  it('refuses a cohort without labels for a channel', async () => {
    const root = join(dir, 'no-labels');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'train_label_coordinates.csv'), 'study_id,series_id,instance_number,condition,level,x,y\n');
    await expect(keypointPriors(root, 256, 512)).rejects.toThrow(/no label coordinates for keypoints-sagittal-t2\|L1_L2/);
  });
});

describe('countingModelSet', () => {
  it('counts the samples each role runs and passes runs through', async () => {
    let released = 0;
    const session = (value: number): ModelSession => ({
      path: `m${value}`,
      inputs: [],
      outputs: [],
      executionProvider: 'cpu',
      run: async () => ({ y: { data: new Float32Array([value]), dims: [1] } }),
      release: async () => {
        released++;
      },
    });
    const model = (role: 'keypoints-axial' | 'classifier-global', value: number) =>
      ({ manifest: { role }, manifestPath: '', onnxPath: '', session: session(value) }) as unknown as LoadedModel;
    const inner: LoadedModelSet = {
      name: 's',
      dir: '',
      models: [model('keypoints-axial', 1), model('classifier-global', 2)],
      release: async () => {
        released += 10;
      },
    };
    const counted = countingModelSet(inner);
    const feed = (b: number) => ({ x: { data: new Float32Array(b), dims: [b, 1] } });
    expect((await counted.set.models[0].session.run(feed(5))).y.data[0]).toBe(1);
    await counted.set.models[0].session.run(feed(3));
    expect((await counted.set.models[1].session.run(feed(2))).y.data[0]).toBe(2);
    expect([...counted.samples]).toEqual([
      ['keypoints-axial', 8],
      ['classifier-global', 2],
    ]);
    await counted.set.release();
    expect(released).toBe(10);
  });
});

describe('rsnaStudyInputs', () => {
  it('reads an RSNA-layout folder into studies with typed series, geometry and lazily decoded pixels', async () => {
    const root = join(dir, 'cohort');
    await generateDataset({ outDir: root, studies: 1, seed: 7, size: 64, workers: 1 });
    const [study, ...rest] = await rsnaStudyInputs(root, 5);
    expect(rest).toHaveLength(0);
    const studyDir = join(root, 'train_images', study.studyId);
    expect(study.stacks.map((s) => s.type).sort()).toEqual(['AXIAL_T2', 'SAGITTAL_T1', 'SAGITTAL_T2_STIR']);
    for (const stack of study.stacks) {
      expect(stack.slices).toHaveLength((await readdir(join(studyDir, stack.seriesId))).length);
      expect(stack.spacingBetweenSlices).toBeGreaterThan(2);
      expect(stack.slices[0].geometry.rows).toBe(64);
    }
    const frame = await study.stacks[0].slices[0].load();
    expect([frame.rows, frame.columns, frame.pixels.length]).toEqual([64, 64, 64 * 64]);
    expect(Math.max(...frame.pixels)).toBeGreaterThan(0);
  });
});

describe('inferenceMarkdown', () => {
  const dist = (median: number) => ({ median, p10: median, p90: median, mean: median });
  const results: InferenceBenchResults = {
    loadAverageStart: [12.5, 11, 10],
    loadAverageEnd: [14, 12, 10.5],
    threads: { intraOp: 2, interOp: 1, torch: 2, ompWaitPolicy: undefined },
    warmupPerModel: 1,
    torchVersion: '1.13',
    exportMs: null,
    loadSetMs: 2000,
    totalMs: 60000,
    cohort: { studies: 3, size: 512, files: 100 },
    peak: { runs: 3, ortN: 2048, torch: { n: 512, gflop: 0.27, ms: dist(270) } },
    models: [
      {
        role: 'keypoints-sagittal-t2',
        description: 'A',
        shape: [1, 5, 512, 512],
        runs: 3,
        gflop: 60,
        ort: dist(300),
        torch: dist(400),
        peakGflops: 80,
      },
      {
        role: 'classifier-global',
        description: 'B',
        shape: [5, 5, 5, 128, 128],
        runs: 5,
        gflop: 40,
        ort: dist(200),
        torch: dist(600),
        peakGflops: 120,
      },
    ],
    pipeline: {
      runs: 2,
      studies: 2,
      wallMs: dist(1200),
      msPerStudy: 600,
      studiesPerMinute: 100,
      stagesMs: { 'model:keypoints-sagittal-t2': 500, load: 300 },
    },
    sequentialLoad: { ms: 120.4, slices: 50 },
    work: [{ role: 'keypoints-axial', expectedPerStudy: 5, ranPerStudy: 5 }],
  };

  it('totals one study, ratios, shares of peak and the pipeline overhead', () => {
    const md = inferenceMarkdown(results);
    // MatMul before the models: 80 and 120 GFLOP/s, median 100. 100 GFLOP in 500 ms ORT = 200 GFLOP/s = 200 % of it.
    expect(md).toContain('| **one study, all models** | | | **100** | **500** | **1000** | **0.50** | **200** | 200 % | 85 % |');
    expect(md).toContain('| A | 1x5x512x512 | 3 | 60.0 | 300 (300-300) | 400 (400-400) | 0.75 | 200 | 250 % | 85 % |');
    expect(md).toContain('| 2048² | | 100 (80-120) |');
    // Model stages: 500 ms per run over 2 studies = 250 per study; 600 / 250 = 2.40.
    expect(md).toContain('| 1200 (1200-1200) | 600 | 100.00 | 250 | 2.40 | 500 |');
    expect(md).toContain('| model:keypoints-sagittal-t2 | 250 | 42 % |');
    expect(md).toContain('Load average 12.5 / 11 / 10 at start, 14 / 12 / 10.5 at end');
    expect(md).toContain('keypoints-axial 5.0/5');
    expect(md).toContain("median MatMul (100 GFLOP/s). fp32 floor for one study's 100 GFLOP: 1000 ms at that peak");
    expect(md).toContain('all 50 slices of a study one after another took 120 ms per study');
    expect(md).toContain('OMP_WAIT_POLICY unset for PyTorch');
  });
});
