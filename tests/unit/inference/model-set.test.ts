import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { parseManifest } from '../../../src/inference/manifest.js';
import { loadModelSet } from '../../../src/inference/model-set.js';
import { SessionCache, openModelSession } from '../../../src/inference/runtime/onnx-session.js';
import { heatmapModel, rowBands } from '../../fixtures/models/fixture-models.js';
import { classifierBody, keypointBody, writeFixtureModelSet, writeModel } from '../../fixtures/models/fixture-model-set.js';

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

const LEVELS = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'];
const sagT2Body = (channels: number, size: number) =>
  keypointBody('keypoints-sagittal-t2', 'SAGITTAL_T2_STIR', channels, size, { mode: 'middle' }, LEVELS);

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
      const spinal = set.models.find((m) => m.manifest.name === 'classifier-spinal-fold1');
      expect(spinal?.manifest.fold).toBe(1);
      expect(spinal?.session.inputs.map((i) => [i.name, i.shape])).toEqual([['rois', ['batch', 2, 5, 32, 32]]]);
      expect(spinal?.manifest.spec.kind === 'classifier' && spinal.manifest.spec.variants[0].slots.map((s) => s.kind)).toEqual([
        'SAG_T2_SPINAL',
        'AXIAL_SPINAL',
      ]);
    } finally {
      await set.release();
    }
  });

  it('rejects a model whose bytes do not match the manifest sha256', async () => {
    const dir = await tempDir();
    await writeModel(dir, 'kp', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32) }), sagT2Body(5, 32));
    const manifest = JSON.parse(await readFile(join(dir, 'kp.manifest.json'), 'utf8')) as { onnx: Record<string, unknown> };
    await writeFile(join(dir, 'kp.manifest.json'), JSON.stringify({ ...manifest, onnx: { ...manifest.onnx, sha256: '0'.repeat(64) } }));
    const e = await expectMismatch(loadModelSet(dir), 'sha256');
    expect(e.message).toContain('kp.manifest.json');
  });

  it('names the input when the manifest and the model disagree on a name', async () => {
    const dir = await tempDir();
    const body = sagT2Body(5, 32);
    await writeModel(dir, 'kp', heatmapModel({ channels: 5, rows: 32, cols: 32, regions: rowBands(5, 32, 32), inputName: 'pixels' }), body);
    const e = await expectMismatch(loadModelSet(dir), 'inputs[0].name');
    expect(e.details).toMatchObject({ file: 'kp.manifest.json', expected: 'image', actual: ['pixels'] });
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
    expect(e.message).toMatch(/kp\.manifest\.json: invalid model manifest: role/);
  });
});

describe('parseManifest', () => {
  const manifest = (body: Record<string, unknown>) => ({
    formatVersion: 1,
    fold: 0,
    architecture: 'rnn25d-resnet18',
    onnx: { file: 'm.onnx', sha256: 'a'.repeat(64) },
    ...body,
  });
  const spinal = () =>
    classifierBody('classifier-spinal', [{ rois: ['SAG_T2_SPINAL', 'AXIAL_SPINAL'], conditions: ['SPINAL_CANAL_STENOSIS'] }], 64);
  const issues = (json: unknown) => {
    const r = parseManifest(json, 'm');
    return r.ok ? [] : r.issues;
  };

  it('reads a classifier: slots, ROI kinds with their slice selection, mirroring and condition order', () => {
    const body = classifierBody(
      'classifier-subarticular',
      [
        { rois: ['AXIAL_LEFT'], conditions: ['LEFT_SUBARTICULAR_STENOSIS'] },
        { rois: ['AXIAL_RIGHT'], conditions: ['RIGHT_SUBARTICULAR_STENOSIS'] },
      ],
      64,
    );
    const r = parseManifest(manifest(body), 'classifier-subarticular-fold0');
    if (!r.ok) throw new Error(r.issues.join('; '));
    const spec = r.manifest.spec;
    expect(spec.kind).toBe('classifier');
    if (spec.kind !== 'classifier') return;
    expect(spec.input).toMatchObject({ name: 'rois', slots: 1, slices: 5, rows: 64, cols: 64 });
    expect(spec.variants[1]).toEqual({
      slots: [
        {
          kind: 'AXIAL_RIGHT',
          view: {
            series: 'AXIAL_T2',
            side: 'RIGHT',
            select: { mode: 'nearest-to-projection', maxDistanceMm: 5 },
            crop: 'roi',
            mirrored: true,
          },
        },
      ],
      conditions: ['RIGHT_SUBARTICULAR_STENOSIS'],
    });
    expect(r.manifest).toMatchObject({ name: 'classifier-subarticular-fold0', onnxFile: 'm.onnx', sha256: 'a'.repeat(64) });
  });

  it('reads Sag T1 offsets as signed per side', () => {
    const r = parseManifest(
      manifest(
        keypointBody('keypoints-sagittal-t1', 'SAGITTAL_T1', 3, 64, { mode: 'offset-mm', offsetMm: { LEFT: 16.8, RIGHT: -16.8 } }, LEVELS),
      ),
      'k',
    );
    expect(r.ok && r.manifest.spec.kind === 'keypoints' && r.manifest.spec.view).toEqual({
      series: 'SAGITTAL_T1',
      side: 'SAMPLE',
      select: { mode: 'offset-mm', offsetMm: { LEFT: 16.8, RIGHT: -16.8 } },
      crop: 'full-slice',
      mirrored: false,
    });
    const t1 = parseManifest(
      manifest(classifierBody('classifier-foraminal', [{ rois: ['SAG_T1_RIGHT'], conditions: ['RIGHT_NEURAL_FORAMINAL_NARROWING'] }], 32)),
      'c',
    );
    const view = t1.ok && t1.manifest.spec.kind === 'classifier' ? t1.manifest.spec.variants[0].slots[0].view : undefined;
    expect(view?.side).toBe('RIGHT');
    expect(view?.select).toEqual({
      mode: 'offset-mm',
      offsetMm: { RIGHT: { L1_L2: -14.9, L2_L3: -15.7, L3_L4: -16.7, L4_L5: -17.8, L5_S1: -18.9 } },
    });
  });

  it('rejects what the pipeline could not drive', () => {
    const s = spinal() as Record<string, Record<string, unknown>>;
    expect(issues(manifest({ ...s, output: { ...s.output, shape: ['batch', 4] } }))).toEqual([
      'output.shape[1]: expected 3 logits (1 conditions x 3 classes), got 4',
    ]);
    expect(issues(manifest({ ...s, input: { ...s.input, shape: [1, 2, 5, 64, 64] } }))[0]).toMatch(/^input\.shape\.0/);
    expect(issues(manifest({ ...s, preprocessing: { ...s.preprocessing, rois: {} } }))).toEqual([
      'preprocessing.rois.SAG_T2_SPINAL: ROI kind used by input.variants[0] is not defined',
      'preprocessing.rois.AXIAL_SPINAL: ROI kind used by input.variants[0] is not defined',
    ]);
    expect(
      issues(manifest({ ...s, input: { ...s.input, variants: [{ rois: ['SAG_T2_SPINAL'], conditions: ['SPINAL_CANAL_STENOSIS'] }] } })),
    ).toEqual(['input.variants[0].rois: 1 ROI kinds for 2 slots']);
    expect(
      issues(
        manifest({ ...s, input: { ...s.input, variants: [{ rois: ['SAG_T2_SPINAL', 'LUMBAR'], conditions: ['SPINAL_CANAL_STENOSIS'] }] } }),
      )[0],
    ).toMatch(/^input\.variants\.0\.rois\.1/);
    const kp = keypointBody('keypoints-sagittal-t2', 'SAGITTAL_T2_STIR', 5, 64, { mode: 'middle' }, ['LEFT', 'RIGHT']);
    expect(issues(manifest(kp))).toEqual([
      'output.channels[0]: keypoints-sagittal-t2 heatmaps locate levels, got LEFT',
      'output.channels[1]: keypoints-sagittal-t2 heatmaps locate levels, got RIGHT',
    ]);
    const axial = keypointBody('keypoints-sagittal-t2', 'AXIAL_T2', 5, 64, { mode: 'nearest-to-projected-point' }, LEVELS);
    expect(issues(manifest(axial))).toEqual([
      'input.series: keypoints-sagittal-t2 reads SAGITTAL_T2_STIR, got AXIAL_T2',
      'preprocessing.sliceSelection: nearest-to-projected-point needs one run per level; keypoints-sagittal-t2 has none',
    ]);
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

  it('runs with intra-op spinning off and on, arena off, to the same outputs', async () => {
    const x = Float32Array.from({ length: 48 }, (_, i) => i * 0.5);
    for (const options of [{ allowSpinning: false }, { allowSpinning: true }, { allowSpinning: false, enableCpuMemArena: false }]) {
      const s = await openModelSession(model, { intraOpNumThreads: 2, ...options });
      try {
        const out = await s.run({ image: { data: x, dims: [1, 3, 4, 4] } });
        expect(Array.from(out.heatmaps.data), JSON.stringify(options)).toEqual(Array.from(x.slice(16, 32)));
      } finally {
        await s.release();
      }
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
