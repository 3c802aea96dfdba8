// `models quantize`: the demo set rewritten as static int8 QDQ, calibrated on imported synthetic studies, registered
// as its own set. The quantized models run in onnxruntime-node, hold int8 weights, and the whole pipeline's answers
// stay within a stated tolerance of the float set's on the same studies.
import { readdir, readFile, rm, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSet, type LoadedModelSet } from '../../src/inference/model-set.js';
import { runPipeline, runStudyPipeline } from '../../src/inference/pipeline/run.js';
import type { FloatTensor } from '../../src/inference/runtime/onnx-session.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { loadStudyInputs } from '../../src/services/inference/study-input.js';
import { registerModelSet } from '../../src/services/model-registry.service.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { quantizeRegisteredSet, type QuantizeResult } from '../../src/services/quantize.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const DEMO = new URL('../../models/demo', import.meta.url).pathname;
/**
 * Tolerance of an int8 model's output against the float model's on the same input, as a share of the float
 * output's range (max - min over the study's samples): any single value, and the mean.
 */
const MAX_DIFF_OF_RANGE = 0.08;
const MEAN_DIFF_OF_RANGE = 0.01;

let tdb: TestDatabase;
let work: string;
let result: QuantizeResult;
let studyIds: string[];

const config = () => ({
  dataDir: join(work, 'data'),
  modelsDir: join(work, 'models'),
  trainerPython: '/usr/bin/python3',
  inference: { provider: 'cpu' as const, threads: 1 },
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  work = await mkdtemp(join(tmpdir(), 'sg-quantize-'));
  await generateDataset({ outDir: join(work, 'cohort'), studies: 5, seed: 11, size: 128 });
  const project = await ensureProject(tdb.db, 'calibration');
  await importStudies(tdb.db, { root: join(work, 'cohort'), projectId: project.id, secret: 'quantize-test' });
  await registerModelSet(tdb.db, DEMO, { name: 'demo' });
  result = await quantizeRegisteredSet({ db: tdb.db, config: config() }, { set: 'demo', name: 'demo-int8', calibrationStudies: 4 });
  studyIds = (await tdb.db.prisma.study.findMany({ orderBy: { externalId: 'asc' }, select: { id: true } })).map((s) => s.id);
}, 600_000);

afterAll(async () => {
  await tdb?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('spinegraph models quantize', () => {
  it('registers the int8 set under its name, inactive, with every model of the float set', async () => {
    expect(result.set.name).toBe('demo-int8');
    expect(result.set.isActive).toBe(false);
    expect(result.calibrationStudies).toBe(4);
    const members = await tdb.db.prisma.modelSetMember.count({ where: { modelSetId: result.set.id } });
    expect(members).toBe(7);
    expect(result.directory).toBe(join(work, 'models', 'quantized', 'demo-int8'));
  });

  it('records the quantization in every manifest: scheme, layers, calibration, source model', async () => {
    const files = (await readdir(result.directory)).filter((f) => f.endsWith('.manifest.json'));
    expect(files).toHaveLength(7);
    for (const f of files) {
      const m = JSON.parse(await readFile(join(result.directory, f), 'utf8')) as {
        role: string;
        onnx: { check?: string; sha256: string };
        quantization: {
          scheme: string;
          keptFloat: string[];
          quantizedLayers: Record<string, number>;
          calibration: { sourceSet: string; studies: number; samples: number };
          source: { sha256: string; file: string };
          checkAgainstFloat: { maxAbsDiff: number; floatOutputRange: number; samples: number };
        };
      };
      const fp32 = JSON.parse(await readFile(join(DEMO, f), 'utf8')) as { onnx: { sha256: string } };
      expect(m.quantization.scheme).toBe('int8-qdq-static');
      // Keypoint models: 51 convolutions, the head and the 13 of the decoder stay float (DEFAULT_KEEP_FLOAT).
      expect(m.quantization.quantizedLayers.Conv).toBe(m.role.startsWith('keypoints') ? 37 : 20);
      expect(m.quantization.keptFloat).toContain(m.role.startsWith('keypoints') ? '/head/Conv' : '/head/Gemm');
      expect(m.quantization.calibration).toMatchObject({ sourceSet: 'demo', studies: 4 });
      expect(m.quantization.calibration.samples).toBeGreaterThan(0);
      expect(m.quantization.source.sha256).toBe(fp32.onnx.sha256);
      expect(m.onnx.sha256).not.toBe(fp32.onnx.sha256);
      // The trainer's check file holds PyTorch's float output: it does not apply to the int8 model.
      expect(m.onnx.check).toBeUndefined();
      expect(m.quantization.checkAgainstFloat.samples).toBeGreaterThan(0);
      expect(m.quantization.checkAgainstFloat.maxAbsDiff).toBeLessThan(0.1 * m.quantization.checkAgainstFloat.floatOutputRange);
    }
  });

  it('stores int8 weights: every model file is well under half its float size', async () => {
    for (const f of (await readdir(result.directory)).filter((x) => x.endsWith('.onnx'))) {
      const [q, fp] = await Promise.all([stat(join(result.directory, f)), stat(join(DEMO, f))]);
      expect(q.size).toBeLessThan(0.4 * fp.size);
    }
  });

  it('runs every quantized model on real inputs of a study it was not calibrated on, within tolerance of the float model', async () => {
    // The fifth study (by external id) was not among the 4 calibration studies: capture the inputs the float
    // pipeline gives each model, run the int8 model on the same inputs.
    const [held] = await loadStudyInputs(tdb.db, studyIds.slice(4));
    const fp32 = await loadModelSet(DEMO, { intraOpNumThreads: 1 });
    const int8 = await loadModelSet(result.directory, { intraOpNumThreads: 1 });
    try {
      const feeds = new Map<string, Record<string, FloatTensor>[]>();
      const capturing: LoadedModelSet = {
        ...fp32,
        models: fp32.models.map((m) => ({
          ...m,
          session: {
            ...m.session,
            run: (f: Readonly<Record<string, FloatTensor>>) => {
              feeds.set(m.manifest.name, [...(feeds.get(m.manifest.name) ?? []), { ...f }]);
              return m.session.run(f);
            },
          },
        })),
      };
      await runPipeline([held], capturing, {});
      expect(feeds.size).toBe(7);
      for (const q of int8.models) {
        const f = fp32.models.find((m) => m.manifest.name === q.manifest.name);
        if (!f) throw new Error(`no float model ${q.manifest.name}`);
        const output = q.manifest.spec.output.name;
        let maxAbs = 0;
        let sumAbs = 0;
        let n = 0;
        let lo = Infinity;
        let hi = -Infinity;
        for (const input of feeds.get(q.manifest.name) ?? []) {
          const a = (await f.session.run(input))[output].data;
          const b = (await q.session.run(input))[output].data;
          for (let i = 0; i < a.length; i++) {
            const d = Math.abs(a[i] - b[i]);
            maxAbs = Math.max(maxAbs, d);
            sumAbs += d;
            lo = Math.min(lo, a[i]);
            hi = Math.max(hi, a[i]);
          }
          n += a.length;
        }
        const range = hi - lo;
        console.log(
          `${q.manifest.name}: max |int8 - float| ${maxAbs.toFixed(4)}, mean ${(sumAbs / n).toFixed(5)}, float range ${range.toFixed(3)}`,
        );
        expect(n).toBeGreaterThan(0);
        expect(maxAbs).toBeLessThanOrEqual(MAX_DIFF_OF_RANGE * range);
        expect(sumAbs / n).toBeLessThanOrEqual(MEAN_DIFF_OF_RANGE * range);
      }
      // And the whole pipeline answers with the int8 set: 25 rows, probabilities that sum to 1.
      const answer = await runStudyPipeline(held, int8);
      expect(answer.predictions).toHaveLength(25);
      for (const p of answer.predictions) expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 5);
    } finally {
      await fp32.release();
      await int8.release();
    }
  }, 300_000);

  it('refuses a name already taken, and a project without studies, before doing any work', async () => {
    await expect(quantizeRegisteredSet({ db: tdb.db, config: config() }, { set: 'demo', name: 'demo-int8' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const empty = await ensureProject(tdb.db, 'empty');
    await expect(
      quantizeRegisteredSet({ db: tdb.db, config: config() }, { set: 'demo', name: 'other', projectId: empty.id }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('no imported studies') });
    await expect(quantizeRegisteredSet({ db: tdb.db, config: config() }, { set: 'demo', name: '../escape' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});
