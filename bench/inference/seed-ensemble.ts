// The "seed ensemble" row of `npm run bench -- inference`: the CPU time per study of the whole 9th-place ensemble
// (3 keypoint models and 12 ROI models = 4 roles x resnet18 / swin_tiny / convnext_nano, 5 folds each = 75 model
// runs). Every fold of a network costs the same, so each distinct network (random weights, spinegraph's definitions
// of the seed's networks, bench/python/export_seed_set.py, cached under the temp folder) is timed on one study's
// batch and counted once per fold.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { distribution, type Distribution } from '../../src/inference/bench.js';
import { fmix32Input } from '../../src/inference/check-file.js';
import { openModelSession, type FloatTensor, type RuntimeOptions } from '../../src/inference/runtime/onnx-session.js';
import { PYTHON, REPO_ROOT, TRAINER_PYTHONPATH } from './full-model-set.js';
import { ensureInt8 } from './seed-int8.js';

const run = promisify(execFile);
const INFO_FILE = 'seed-bench-info.json';
const FLOPS_FILE = 'seed-flops.json';
export const SEED_FOLDS = 5;
/** Samples of one study per role: one Sag T2 run, one Sag T1 run per side, one axial run per level; ROIs per level
 *  (foraminal and subarticular once per side). */
const BATCH_PER_STUDY: Readonly<Record<string, number>> = {
  'keypoints-sagittal-t2': 1,
  'keypoints-sagittal-t1': 2,
  'keypoints-axial': 5,
  'classifier-spinal': 5,
  'classifier-foraminal': 10,
  'classifier-subarticular': 10,
  'classifier-global': 5,
};

interface SeedBenchInfo {
  readonly models: readonly { name: string; role: string; onnx: string; input: string; sampleShape: number[] }[];
}

export interface SeedModelTiming {
  readonly name: string;
  readonly batch: number;
  /** FLOPs of one study's batch (2 x multiply-adds of convolutions, linear layers and GRUs). */
  readonly flops: number;
  readonly fp32: Distribution;
  readonly int8: Distribution;
  /** Quantized layers by op type in the int8 copy. */
  readonly quantizedLayers: Readonly<Record<string, number>>;
  /** max |int8 - fp32| over one study's batch, and the fp32 outputs' max - min it is read against. */
  readonly maxAbsDiff: number;
  readonly fp32OutputRange: number;
}

export interface SeedEnsembleTiming {
  readonly models: readonly SeedModelTiming[];
  readonly folds: number;
  /** Timed runs per network and precision. */
  readonly runs: number;
  /** Sum over networks of folds x median ms of one study's batch. */
  readonly fp32MsPerStudy: number;
  readonly int8MsPerStudy: number;
  /** FLOPs of every model run of one study (all networks, all folds). */
  readonly flopsPerStudy: number;
  readonly exportMs: number | null;
  readonly quantizeMs: number;
}

/** The export's inputs: its script and the trainer's definitions of the seed's networks. */
async function cacheKey(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(REPO_ROOT, 'bench/python/export_seed_set.py')));
  const trainer = join(REPO_ROOT, 'src/training/python/spinetrainer');
  for (const dir of [trainer, join(trainer, 'models'), join(trainer, 'models/seed')])
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.py')).sort()) hash.update(await readFile(join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** FLOPs per sample of each network (bench/python/seed_flops.py), counted once into the cache folder. */
async function ensureFlops(dir: string): Promise<Record<string, number>> {
  const file = join(dir, FLOPS_FILE);
  if (!existsSync(file))
    await run(PYTHON, [join(REPO_ROOT, 'bench/python/seed_flops.py'), file], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 16 * 2 ** 20,
      timeout: 30 * 60_000,
    });
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
}

async function ensureSeedSet(): Promise<{ dir: string; info: SeedBenchInfo; exportMs: number | null }> {
  const dir = join(tmpdir(), 'spinegraph-bench', `seed-ensemble-${await cacheKey()}`);
  let exportMs: number | null = null;
  if (!existsSync(join(dir, INFO_FILE))) {
    // The exporter keeps networks already written to `dir` (an interrupted export resumes) and writes INFO_FILE last.
    await mkdir(dir, { recursive: true });
    const t0 = performance.now();
    await run(PYTHON, [join(REPO_ROOT, 'bench/python/export_seed_set.py'), dir], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 16 * 2 ** 20,
      timeout: 120 * 60_000,
    });
    exportMs = performance.now() - t0;
  }
  return { dir, info: JSON.parse(await readFile(join(dir, INFO_FILE), 'utf8')) as SeedBenchInfo, exportMs };
}

/** One study through every network and fold: each fold of a network costs what its one timed copy costs. */
export function ensembleTotals(
  models: readonly Pick<SeedModelTiming, 'fp32' | 'int8' | 'flops'>[],
  folds: number,
): Pick<SeedEnsembleTiming, 'fp32MsPerStudy' | 'int8MsPerStudy' | 'flopsPerStudy'> {
  const sum = (f: (m: Pick<SeedModelTiming, 'fp32' | 'int8' | 'flops'>) => number) => folds * models.reduce((a, m) => a + f(m), 0);
  return {
    fp32MsPerStudy: Math.round(sum((m) => m.fp32.median)),
    int8MsPerStudy: Math.round(sum((m) => m.int8.median)),
    flopsPerStudy: sum((m) => m.flops),
  };
}

function feedOf(input: string, dims: readonly number[]): Record<string, FloatTensor> {
  return {
    [input]: {
      data: fmix32Input(
        dims.reduce((a, d) => a * d, 1),
        1,
      ),
      dims,
    },
  };
}

/** fp32 and int8 sessions of one network, warmed up, then timed in alternation so both see the same load. */
async function timePair(fp32Path: string, int8Path: string, feed: Record<string, FloatTensor>, runs: number, runtime: RuntimeOptions) {
  const fp32 = await openModelSession(fp32Path, runtime, fp32Path);
  const int8 = await openModelSession(int8Path, runtime, int8Path);
  try {
    const [a, b] = [await fp32.run(feed), await int8.run(feed)];
    const out = fp32.outputs[0].name;
    let maxAbsDiff = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < a[out].data.length; i++) {
      const v = a[out].data[i];
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - b[out].data[i]));
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const times: [number[], number[]] = [[], []];
    for (let r = 0; r < runs; r++)
      for (const [k, session] of [fp32, int8].entries()) {
        const t0 = performance.now();
        await session.run(feed);
        times[k].push(performance.now() - t0);
      }
    return { fp32: distribution(times[0]), int8: distribution(times[1]), maxAbsDiff, fp32OutputRange: hi - lo };
  } finally {
    await fp32.release();
    await int8.release();
  }
}

export async function timeSeedEnsemble(runtime: RuntimeOptions, runs: number, log: (m: string) => void): Promise<SeedEnsembleTiming> {
  const { dir, info, exportMs } = await ensureSeedSet();
  const flops = await ensureFlops(dir);
  const models: SeedModelTiming[] = [];
  let quantizeMs = 0;
  for (const m of info.models) {
    const batch = BATCH_PER_STUDY[m.role];
    const t0 = performance.now();
    const int8 = await ensureInt8(dir, m.name, m.input, m.sampleShape, runtime);
    quantizeMs += performance.now() - t0;
    const t = await timePair(join(dir, m.onnx), int8.onnxPath, feedOf(m.input, [batch, ...m.sampleShape]), runs, runtime);
    log(`seed ensemble: ${m.name} x${batch}: fp32 ${t.fp32.median} ms, int8 ${t.int8.median} ms`);
    models.push({ name: m.name, batch, flops: batch * flops[m.name], ...t, quantizedLayers: int8.quantizedLayers });
  }
  return { models, folds: SEED_FOLDS, runs, ...ensembleTotals(models, SEED_FOLDS), exportMs, quantizeMs };
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

export function seedEnsembleMarkdown(t: SeedEnsembleTiming): string {
  const rows = t.models.map(
    (m) =>
      `| ${m.name} | ${m.batch} | ${(m.flops / 1e9).toFixed(1)} | ${(m.flops / 1e6 / m.fp32.median).toFixed(0)} | ${m.fp32.median} (${m.fp32.p10}-${m.fp32.p90}) | ${m.int8.median} (${m.int8.p10}-${m.int8.p90}) | ` +
      `${ratio(m.fp32.median, m.int8.median)} | ${Math.round(t.folds * m.fp32.median)} | ${Math.round(t.folds * m.int8.median)} | ` +
      `${m.maxAbsDiff.toPrecision(2)} of ${m.fp32OutputRange.toPrecision(3)} |`,
  );
  return [
    `### Seed ensemble (all models, all folds), fp32 and int8`,
    '',
    `The 9th-place ensemble as \`models import-seed\` runs it: 3 keypoint models and 12 ROI models (4 roles x resnet18 at 128 / ` +
      `swin_tiny / convnext_nano at 224), ${t.folds} folds each = ${t.models.length * t.folds} model runs per study. Each distinct network ` +
      `(random weights, spinegraph's definitions of the seed's architectures) is timed on one study's batch and counted once per fold ` +
      `(every fold of a network has the same graph and cost). int8: the same static QDQ rewrite as \`models quantize\` ` +
      `(int8 per-channel weights, uint8 activations), calibrated on the row's deterministic inputs (random weights: the ranges ` +
      `set no accuracy, only the kernels that run). fp32 and int8 runs alternate: one warm-up each, then ${t.runs} timed runs each (medians).`,
    '',
    '| network | batch per study | GFLOP (one fold) | fp32 GFLOP/s | fp32 ms (p10-p90) | int8 ms (p10-p90) | fp32 / int8 | fp32 x folds, ms | int8 x folds, ms | int8 max abs diff of fp32 output range |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    `| **seed ensemble, model time per study** | | **${(t.flopsPerStudy / 1e9).toFixed(0)}** | **${(t.flopsPerStudy / 1e6 / t.fp32MsPerStudy).toFixed(0)}** | | | **${ratio(t.fp32MsPerStudy, t.int8MsPerStudy)}** | **${t.fp32MsPerStudy}** | **${t.int8MsPerStudy}** | |`,
    '',
    `Setup (not in the numbers): export ${t.exportMs === null ? 'cached' : `${Math.round(t.exportMs / 1000)} s`}, int8 rewrite and calibration ${t.quantizeMs < 1000 ? 'cached' : `${Math.round(t.quantizeMs / 1000)} s`}.`,
    '',
  ].join('\n');
}
