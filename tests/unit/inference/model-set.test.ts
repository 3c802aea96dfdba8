import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { parseManifest } from '../../../src/inference/manifest.js';
import { loadModelSet } from '../../../src/inference/model-set.js';
import { SessionCache, openModelSession } from '../../../src/inference/runtime/onnx-session.js';
import { heatmapModel, rowBands } from '../../fixtures/models/fixture-models.js';
import { writeFixtureModelSet, writeModel } from '../../fixtures/models/fixture-model-set.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'spinegraph-models-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function expectMismatch(p: Promise<unknown>, field: string | RegExp): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  const app = e as AppError;
  expect(app.code).toBe('MODEL_MISMATCH');
  expect(String(app.details?.field)).toMatch(field);
  return app;
}

const sagT2Body = (channels: number, size: number) => ({
  role: 'keypoints-sagittal-t2',
  inputs: [{ name: 'image', kind: 'image', shape: ['batch', channels, size, size], view: 'SAG_T2_MIDDLE' }],
  outputs: [
    { name: 'heatmaps', kind: 'heatmaps', shape: ['batch', 5, size, size], heatmaps: ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'] },
  ],
});

describe('loadModelSet', () => {
  it('loads every manifest beside its model and checks it against the real inputs and outputs', async () => {
    const dir = await tempDir();
    await writeFixtureModelSet(dir);
    await writeFile(join(dir, 'model-set.json'), JSON.stringify({ name: 'fixture-set' }));
    const set = await loadModelSet(dir);
    try {
      expect(set.name).toBe('fixture-set');
      expect(set.models.map((m) => m.manifest.role).sort()).toEqual([
        'classifier-foraminal',
        'classifier-global',
        'classifier-spinal',
        'classifier-spinal',
        'classifier-subarticular',
        'keypoints-axial',
        'keypoints-sagittal-t1',
        'keypoints-sagittal-t2',
      ]);
      const spinal = set.models.find((m) => m.manifest.name === 'cls-spinal-f1');
      expect(spinal?.manifest.fold).toBe(1);
      expect(spinal?.session.inputs.map((i) => [i.name, i.shape])).toEqual([
        ['sag_t2', ['batch', 5, 32, 32]],
        ['axial', ['batch', 5, 32, 32]],
        ['level', ['batch', 5]],
      ]);
    } finally {
      await set.release();
    }
  });

  it('rejects a model whose bytes do not match the manifest sha256', async () => {
    const dir = await tempDir();
    await writeModel(dir, 'kp', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32) }), sagT2Body(5, 32));
    const manifest = JSON.parse(await readFile(join(dir, 'kp.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'kp.json'), JSON.stringify({ ...manifest, sha256: '0'.repeat(64) }));
    const e = await expectMismatch(loadModelSet(dir), 'sha256');
    expect(e.message).toContain('kp.json');
  });

  it('names the input when the manifest and the model disagree on a name', async () => {
    const dir = await tempDir();
    const body = sagT2Body(5, 32);
    await writeModel(dir, 'kp', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32), inputName: 'pixels' }), body);
    const e = await expectMismatch(loadModelSet(dir), 'inputs[0].name');
    expect(e.details).toMatchObject({ file: 'kp.json', expected: 'image', actual: ['pixels'] });
  });

  it('names the dimension when shapes disagree, and wants a dynamic batch', async () => {
    const dir = await tempDir();
    await writeModel(dir, 'kp', heatmapModel({ channels: 3, rows: 32, cols: 32, regions: rowBands(5, 32, 32) }), sagT2Body(5, 32));
    const e = await expectMismatch(loadModelSet(dir), 'inputs[0] (image) shape[1]');
    expect(e.details).toMatchObject({ expected: 5, actual: 3 });

    const dir2 = await tempDir();
    await writeModel(
      dir2,
      'kp',
      heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32), outputBatch: 1 }),
      sagT2Body(5, 32),
    );
    await expectMismatch(loadModelSet(dir2), 'outputs[0] (heatmaps) shape[0] (batch)');
  });

  it('requires the folds of a keypoint role to share one layout', async () => {
    const dir = await tempDir();
    await writeModel(dir, 'kp-a', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32) }), sagT2Body(5, 32));
    await writeModel(dir, 'kp-b', heatmapModel({ channels: 5, rows: 64, cols: 64, regions: rowBands(5, 64, 64) }), {
      ...sagT2Body(5, 64),
      fold: 1,
    });
    await expectMismatch(loadModelSet(dir), 'inputs/outputs');
  });

  it('reports malformed manifests as bad input with every issue', async () => {
    const dir = await tempDir();
    await writeModel(dir, 'kp', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32) }), {
      ...sagT2Body(5, 32),
      role: 'keypoints-lumbar',
    });
    const e = (await loadModelSet(dir).catch((err: unknown) => err)) as AppError;
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toMatch(/kp\.json: invalid model manifest: role/);
  });
});

describe('parseManifest role rules', () => {
  const classifier = (over: Record<string, unknown>) => ({
    formatVersion: 1,
    name: 'm',
    role: 'classifier-spinal',
    sha256: 'a'.repeat(64),
    backbone: 'resnet18',
    fold: 0,
    inputs: [{ name: 'sag', kind: 'image', shape: ['batch', 5, 128, 128], view: 'SAG_T2_SPINAL' }],
    outputs: [{ name: 'logits', kind: 'logits', shape: ['batch', 3], classes: ['NORMAL_MILD', 'MODERATE', 'SEVERE'] }],
    preprocessing: { interpolation: 'bicubic', normalisation: 'zscore-stack', roiMm: 50 },
    ...over,
  });
  const issues = (json: unknown) => {
    const r = parseManifest(json);
    return r.ok ? [] : r.issues;
  };

  it('accepts a valid split classifier and expands its view preset', () => {
    const r = parseManifest(classifier({}));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.manifest.inputs[0]).toMatchObject({
        slices: 5,
        rows: 128,
        cols: 128,
        view: { series: 'SAGITTAL_T2_STIR', crop: 'roi', select: { mode: 'middle' } },
      });
      expect(r.manifest.preprocessing.axialMatchMaxMm).toBe(5);
    }
  });

  it('rejects what a role cannot use', () => {
    expect(issues(classifier({ role: 'classifier-global' }))).toContain('outputs[0].conditions: required for classifier-global');
    expect(
      issues(classifier({ outputs: [{ name: 'l', kind: 'logits', shape: ['batch', 4], classes: ['NORMAL_MILD', 'MODERATE', 'SEVERE'] }] })),
    ).toEqual(['outputs[0].shape[1]: expected 3 logits (1 conditions x 3 classes), got 4']);
    expect(issues(classifier({ preprocessing: { interpolation: 'bicubic', normalisation: 'zscore-stack' } }))).toContain(
      'preprocessing.roiMm: required by ROI inputs',
    );
    expect(issues(classifier({ inputs: [{ name: 'x', kind: 'image', shape: ['batch', 5, 64, 64], view: 'SAG_T1' }] }))).toContain(
      'inputs[0].side: SAMPLE, but classifier-spinal samples have no side',
    );
    expect(issues(classifier({ inputs: [{ name: 'x', kind: 'image', shape: [1, 5, 64, 64], view: 'SAG_T2_SPINAL' }] }))[0]).toMatch(
      /^inputs\.0\.shape\.0/,
    );
    const sag = {
      ...classifier({}),
      role: 'keypoints-sagittal-t2',
      inputs: [{ name: 'x', kind: 'image', shape: ['b', 5, 64, 64], view: 'SAG_T2_MIDDLE' }],
    };
    expect(issues({ ...sag, outputs: [{ name: 'h', kind: 'heatmaps', shape: ['b', 2, 64, 64], heatmaps: ['LEFT', 'RIGHT'] }] })).toEqual([
      'outputs[0].heatmaps[0]: keypoints-sagittal-t2 heatmaps locate levels, got LEFT',
      'outputs[0].heatmaps[1]: keypoints-sagittal-t2 heatmaps locate levels, got RIGHT',
    ]);
  });

  it('lets explicit view fields override a preset', () => {
    const r = parseManifest(
      classifier({
        inputs: [
          { name: 'x', kind: 'image', shape: ['batch', 5, 64, 64], view: 'SAG_T2_SPINAL', select: { mode: 'offset-mm', offsetMm: 8.7 } },
        ],
      }),
    );
    expect(r.ok && r.manifest.inputs[0].kind === 'image' && r.manifest.inputs[0].view.select).toEqual({ mode: 'offset-mm', offsetMm: 8.7 });
  });
});

describe('ONNX runtime', () => {
  const model = heatmapModel({ channels: 3, rows: 4, cols: 4, regions: [{ rows: [0, 4], cols: [0, 4] }] });

  it('falls back from CUDA to CPU with a warning', async () => {
    const warnings: string[] = [];
    const s = await openModelSession(model, { executionProvider: 'cuda', logger: { warn: (m) => warnings.push(m) } });
    try {
      // Where the CUDA provider libraries are installed, CUDA may really start; otherwise it must fall back.
      if (s.executionProvider === 'cpu') expect(warnings[0]).toMatch(/CUDA execution provider unavailable/);
      const x = Float32Array.from({ length: 48 }, (_, i) => i);
      const out = await s.run({ image: { data: x, dims: [1, 3, 4, 4] } });
      expect(Array.from(out.heatmaps.data)).toEqual(Array.from(x.slice(16, 32)));
      expect(out.heatmaps.dims).toEqual([1, 1, 4, 4]);
    } finally {
      await s.release();
    }
  });

  it('caches one session per model path', async () => {
    const dir = await tempDir();
    const path = join(dir, 'm.onnx');
    await writeFile(path, model);
    const cache = new SessionCache({ intraOpNumThreads: 1 });
    const [a, b] = await Promise.all([cache.get(path), cache.get(path)]);
    expect(a).toBe(b);
    await cache.releaseAll();
  });
});
