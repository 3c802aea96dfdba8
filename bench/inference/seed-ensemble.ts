// The "seed ensemble" row of `npm run bench -- inference`: the CPU time per study of the whole 9th-place ensemble
// (3 keypoint models and 12 ROI models = 4 roles x resnet18 / swin_tiny / convnext_nano, 5 folds each = 75 model
// runs). Every fold of a network costs the same, so each distinct network (random weights, spinegraph's definitions
// of the seed's networks, bench/python/export_seed_set.py, cached under the temp folder) is timed on one study's
// batch and counted once per fold.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchmarkModels, type Distribution } from '../../src/inference/bench.js';
import type { RuntimeOptions } from '../../src/inference/runtime/onnx-session.js';
import { PYTHON, REPO_ROOT, TRAINER_PYTHONPATH } from './full-model-set.js';

const run = promisify(execFile);
const INFO_FILE = 'seed-bench-info.json';
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
  readonly ms: Distribution;
}

export interface SeedEnsembleTiming {
  readonly models: readonly SeedModelTiming[];
  readonly folds: number;
  /** Sum over networks of folds x median ms of one study's batch. */
  readonly msPerStudy: number;
  readonly exportMs: number | null;
}

async function cacheKey(): Promise<string> {
  const hash = createHash('sha256');
  const trainer = join(REPO_ROOT, 'src/training/python/spinetrainer');
  for (const dir of [join(REPO_ROOT, 'bench/python'), trainer, join(trainer, 'models'), join(trainer, 'models/seed')])
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.py')).sort()) hash.update(await readFile(join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

async function ensureSeedSet(): Promise<{ dir: string; info: SeedBenchInfo; exportMs: number | null }> {
  const dir = join(tmpdir(), 'spinegraph-bench', `seed-ensemble-${await cacheKey()}`);
  let exportMs: number | null = null;
  if (!existsSync(join(dir, INFO_FILE))) {
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    const t0 = performance.now();
    await run(PYTHON, [join(REPO_ROOT, 'bench/python/export_seed_set.py'), partial], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 16 * 2 ** 20,
      timeout: 120 * 60_000,
    });
    exportMs = performance.now() - t0;
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  }
  return { dir, info: JSON.parse(await readFile(join(dir, INFO_FILE), 'utf8')) as SeedBenchInfo, exportMs };
}

export async function timeSeedEnsemble(runtime: RuntimeOptions, runs: number, log: (m: string) => void): Promise<SeedEnsembleTiming> {
  const { dir, info, exportMs } = await ensureSeedSet();
  const models: SeedModelTiming[] = [];
  for (const m of info.models) {
    const batch = BATCH_PER_STUDY[m.role];
    const [t] = await benchmarkModels([{ name: m.name, model: join(dir, m.onnx), inputs: { [m.input]: [batch, ...m.sampleShape] } }], {
      runs,
      warmup: 1,
      runtime,
    });
    log(`seed ensemble: ${m.name} x${batch}: ${t.ms.median} ms`);
    models.push({ name: m.name, batch, ms: t.ms });
  }
  const msPerStudy = models.reduce((a, m) => a + SEED_FOLDS * m.ms.median, 0);
  return { models, folds: SEED_FOLDS, msPerStudy: Math.round(msPerStudy), exportMs };
}

export function seedEnsembleMarkdown(t: SeedEnsembleTiming): string {
  const rows = t.models.map(
    (m) => `| ${m.name} | ${m.batch} | ${m.ms.median} | ${m.ms.p10} - ${m.ms.p90} | ${Math.round(t.folds * m.ms.median)} |`,
  );
  return [
    `### Seed ensemble (all models, all folds)`,
    '',
    `The 9th-place ensemble as \`models import-seed\` runs it: 3 keypoint models and 12 ROI models (4 roles x resnet18 / ` +
      `swin_tiny / convnext_nano), ${t.folds} folds each; each network timed on one study's batch and counted once per fold.`,
    '',
    '| network | batch per study | median ms | p10 - p90 | x folds, ms |',
    '|---|---|---|---|---|',
    ...rows,
    `| **seed ensemble, model time per study** | | | | **${t.msPerStudy}** |`,
    '',
  ].join('\n');
}
