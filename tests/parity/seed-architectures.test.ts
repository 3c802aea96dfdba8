// Parity I of issue 14: a randomly initialised seed model (the seed's code on smp 0.3.3 / timm 0.9.2), saved the
// way the seed saves it, imported with `spinegraph models import-seed`, computes in onnxruntime-node what the seed
// model computes in PyTorch: max abs difference <= 1e-4 on the logits / heatmaps, every architecture and input size
// of experiments/*.yml and the notebook's backbone variants.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmix32Input } from '../../src/inference/check-file.js';
import { openModelSession } from '../../src/inference/runtime/onnx-session.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { makeSeedModels, PYTHON, referenceOutput, spinegraph, type SeedModelSpec } from './support/seed-checkpoints.js';

const SPEC: SeedModelSpec[] = [
  { name: 'coord-sagt2', config: 'config_coord_sagt2.yml', oneFold: true, seed: 1 },
  { name: 'coord-sagt1', config: 'config_coord_sagt1.yml', oneFold: true, seed: 2 },
  { name: 'coord-axi', config: 'config_coord_axi.yml', oneFold: true, seed: 3 },
  { name: 'spinal-resnet18', config: 'config_spinal_roi.yml', folds: 2, seed: 4 },
  { name: 'foraminal-resnet18', config: 'config_foraminal_roi.yml', oneFold: true, seed: 5 },
  { name: 'subarticular-resnet18', config: 'config_subarticular_roi.yml', oneFold: true, seed: 6 },
  { name: 'global-resnet18', config: 'config_global_roi.yml', oneFold: true, seed: 7 },
  {
    name: 'foraminal-swin',
    config: 'config_foraminal_roi.yml',
    oneFold: true,
    seed: 8,
    baseModel: 'swin_tiny_patch4_window7_224',
    resolution: 224,
  },
  {
    name: 'subarticular-convnext',
    config: 'config_subarticular_roi.yml',
    oneFold: true,
    seed: 9,
    baseModel: 'convnext_nano',
    resolution: 224,
  },
];
const TOLERANCE = 1e-4;

let dir: string;
let tdb: TestDatabase;
let imported: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-seed-arch-'));
  tdb = await createTestDatabase();
  await makeSeedModels(dir, SPEC);
  imported = await spinegraph(['models', 'import-seed', ...SPEC.map((s) => join(dir, `rsna-2024-${s.name}`)), '--name', 'seed-arch'], {
    DATABASE_URL: tdb.url,
    MODELS_DIR: join(dir, 'models'),
  });
});

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('import-seed of every seed architecture', () => {
  it('converts and registers every checkpoint', () => {
    expect(imported.code, imported.stderr.slice(-4000)).toBe(0);
    expect(imported.stdout).toMatch(/registered model set "seed-arch" .*: 10 models in /);
  });

  it('computes in onnxruntime-node what the seed model computes in PyTorch (max abs <= 1e-4)', async () => {
    const setDir = join(dir, 'models', 'imported', 'seed-arch');
    const manifests = (await readdir(setDir)).filter((f) => f.endsWith('.manifest.json')).sort();
    expect(manifests).toHaveLength(10);
    const report: Record<string, number> = {};
    for (const file of manifests) {
      const m = JSON.parse(await readFile(join(setDir, file), 'utf8')) as {
        input: { name: string; shape: (string | number)[] };
        output: { name: string };
        provenance: { seedModel: string; seedFold: number };
      };
      const dims = [2, ...m.input.shape.slice(1).map(Number)];
      const x = fmix32Input(
        dims.reduce((a, d) => a * d, 1),
        1234,
      );
      const session = await openModelSession(join(setDir, file.replace('.manifest.json', '.onnx')), { intraOpNumThreads: 1 });
      try {
        const y = (await session.run({ [m.input.name]: { data: x, dims } }))[m.output.name];
        const want = await referenceOutput(dir, m.provenance.seedModel, m.provenance.seedFold);
        expect(y.data.length).toBe(want.length);
        let max = 0;
        for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(y.data[i] - want[i]));
        report[`${m.provenance.seedModel} cv${m.provenance.seedFold} [${dims.slice(1).join('x')}]`] = max;
      } finally {
        await session.release();
      }
    }
    process.stdout.write(`seed architecture parity (max abs, ORT vs seed PyTorch):\n${JSON.stringify(report, null, 1)}\n`);
    for (const [model, max] of Object.entries(report)) expect(max, model).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("the trainer's full config trains the seed's networks", () => {
  it("gives checkpoints that load into the seed model class and ONNX graphs with the imported models' inputs and outputs", async () => {
    const script = fileURLToPath(new URL('./support/train_full_vs_seed.py', import.meta.url));
    const work = join(dir, 'trainer-full');
    const { stdout } = await promisify(execFile)(PYTHON, [script, '--work', work], { maxBuffer: 1 << 24, timeout: 3_600_000 });
    // The script loads each trained state_dict strictly into the seed's own class (rsna2024/model/model.py).
    const trained = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<
      string,
      { onnx: string; keys: number; sameKeysAndShapes: boolean; manifest: string }
    >;
    const setDir = join(dir, 'models', 'imported', 'seed-arch');
    const pairs: [string, string][] = [
      ['keypoints-sagittal-t2', 'keypoints-sagittal-t2-rsna-2024-coord-sagt2-fold0'],
      ['classifier-global', 'classifier-global-rsna-2024-global-resnet18-fold0'],
    ];
    for (const [role, importedStem] of pairs) {
      expect(trained[role].sameKeysAndShapes, role).toBe(true);
      const importedManifest = JSON.parse(await readFile(join(setDir, `${importedStem}.manifest.json`), 'utf8')) as {
        architecture: string;
      };
      expect(trained[role].manifest).toBe(importedManifest.architecture);
      const a = await openModelSession(trained[role].onnx, { intraOpNumThreads: 1 });
      const b = await openModelSession(join(setDir, `${importedStem}.onnx`), { intraOpNumThreads: 1 });
      try {
        expect([a.inputs, a.outputs], role).toEqual([b.inputs, b.outputs]);
      } finally {
        await a.release();
        await b.release();
      }
    }
  });
});
