import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { benchmarkModels, benchmarkPipeline, distribution } from '../../../src/inference/bench.js';
import { fmix32Input } from '../../../src/inference/check-file.js';
import { loadModelSet } from '../../../src/inference/model-set.js';
import { heatmapModel } from '../../fixtures/models/fixture-models.js';
import { keypointBody, writeFixtureModelSet, writeModel } from '../../fixtures/models/fixture-model-set.js';
import { syntheticStudy } from '../../unit/inference/support/synthetic-study.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spinegraph-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainer check files', () => {
  it('generates the same inputs as the trainer (values from docs/training-format.md)', () => {
    const x = fmix32Input(2, 1234);
    expect(Array.from(x)).toEqual([Math.fround(-0.7603966593742371), Math.fround(0.43150344491004944)]);
  });

  /** The fixture heatmap model copies the middle channel, so the expected output is known without running it. */
  async function modelWithCheck(name: string, corrupt: boolean): Promise<string> {
    const d = join(dir, name);
    const S = 8;
    const body = keypointBody('keypoints-sagittal-t2', 'SAGITTAL_T2_STIR', 5, S, { mode: 'middle' }, [
      'L1_L2',
      'L2_L3',
      'L3_L4',
      'L4_L5',
      'L5_S1',
    ]);
    await writeModel(
      d,
      'kp',
      heatmapModel({ channels: 5, rows: S, cols: S, regions: Array.from({ length: 5 }, () => ({ rows: [0, S], cols: [0, S] })) }),
      body,
    );
    const shape = [2, 5, S, S];
    const x = fmix32Input(2 * 5 * S * S, 7);
    const y = new Float32Array(2 * 5 * S * S);
    for (let b = 0; b < 2; b++)
      for (let k = 0; k < 5; k++) y.set(x.subarray((b * 5 + 2) * S * S, (b * 5 + 3) * S * S), (b * 5 + k) * S * S);
    if (corrupt) y[77] += 0.01;
    const check = {
      formatVersion: 1,
      input: { name: 'image', shape, dtype: 'float32', generator: 'fmix32', seed: 7, first: Array.from(x.subarray(0, 16)) },
      output: {
        name: 'heatmaps',
        shape,
        first: Array.from(y.subarray(0, 16)),
        samples: [77, 300, 511].map((p) => [p, y[p]]),
        sum: y.reduce((a, v) => a + v, 0),
        sumAbs: y.reduce((a, v) => a + Math.abs(v), 0),
      },
      tolerance: { abs: 1e-4, rel: 1e-3 },
    };
    await writeFile(join(d, 'kp.check.json'), JSON.stringify(check));
    const manifestPath = join(d, 'kp.manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { onnx: Record<string, unknown> };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, onnx: { ...manifest.onnx, check: 'kp.check.json' } }));
    return d;
  }

  it('accepts a model that reproduces its check output and rejects one that does not', async () => {
    const good = await loadModelSet(await modelWithCheck('good', false), { verifyChecks: true });
    await good.release();
    const e = (await loadModelSet(await modelWithCheck('bad', true), { verifyChecks: true }).catch((err: unknown) => err)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('MODEL_MISMATCH');
    expect(e.details).toMatchObject({ file: 'kp.manifest.json', field: 'check output[77]' });
  });
});

describe('benchmarks', () => {
  it('summarises timings', () => {
    expect(distribution([5, 1, 4, 2, 3])).toEqual({ median: 3, p10: 1, p90: 5, mean: 3 });
    // Two runs: their mean, not the larger one.
    expect(distribution([4, 2]).median).toBe(3);
    expect(distribution([7, 1, 3, 5]).median).toBe(4);
  });

  it('times models and reports GFLOP/s from a given FLOP count', async () => {
    const S = 32;
    const [r] = await benchmarkModels(
      [
        {
          name: 'heatmaps',
          model: heatmapModel({ channels: 3, rows: S, cols: S, regions: [{ rows: [0, S], cols: [0, S] }] }),
          inputs: { image: [4, 3, S, S] },
          flops: 4 * S * S,
        },
      ],
      { runs: 5, warmup: 1, runtime: { intraOpNumThreads: 1 } },
    );
    expect(r).toMatchObject({ name: 'heatmaps', runs: 5, executionProvider: 'cpu' });
    expect(r.ms.median).toBeGreaterThan(0);
    expect(r.gflopsPerSecond).toBeCloseTo((4 * S * S) / (r.ms.median * 1e6), 1);
  });

  it('times the whole pipeline per stage', async () => {
    const d = join(dir, 'set');
    await writeFixtureModelSet(d);
    const set = await loadModelSet(d, { intraOpNumThreads: 1 });
    try {
      const studies = ['x', 'y'].map((id) => ({ studyId: id, stacks: syntheticStudy(id).stacks }));
      const r = await benchmarkPipeline(studies, set, { runs: 2, studiesPerBatch: 2 });
      expect(r.studies).toBe(2);
      expect(r.msPerStudy).toBeGreaterThan(0);
      expect(Object.keys(r.stagesMs)).toEqual(
        expect.arrayContaining(['model:keypoints-sagittal-t2', 'preprocess:classifier-global', 'ensemble']),
      );
    } finally {
      await set.release();
    }
  });
});
