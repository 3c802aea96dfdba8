// The full-size random-weight model set (one fold of every role), exported by the trainer's own code through
// bench/python/export_full_set.py and cached under the OS temp folder. The cache key hashes every Python source that
// decides the files and the keypoint priors, so a change to either re-exports and an unchanged tree reuses.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ModelRole } from '../../src/inference/roles.js';
import type { KeypointPriors } from './keypoint-priors.js';

const run = promisify(execFile);

export const PYTHON = '/usr/bin/python3';
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TRAINER_PYTHONPATH = [join(REPO_ROOT, 'src/training/python'), join(REPO_ROOT, 'bench/python')].join(':');

/** Written last by the exporter: a folder without it is an interrupted export. */
const INFO_FILE = 'bench-info.json';
const PRIORS_FILE = 'priors.json';

export interface ExportedRoleInfo {
  readonly onnx: string;
  readonly bytes: number;
  /** One sample's input shape, batch axis excluded. */
  readonly sampleShape: readonly number[];
  /** 2 x multiply-adds of convolutions, linear layers and GRUs for one sample. */
  readonly flopsPerSample: number;
  /** sha256 over the PyTorch state dict: the timing server must report the same. */
  readonly stateSha256: string;
}

export interface BenchModelInfo {
  readonly config: string;
  readonly fold: number;
  readonly torch: string;
  readonly models: Readonly<Record<ModelRole, ExportedRoleInfo>>;
  /** A MatMul model [n, n] x [n, n] for the fp32 peak. */
  readonly peak: { readonly file: string; readonly n: number; readonly flops: number };
}

export interface FullModelSet {
  readonly dir: string;
  /** The priors the keypoint models were exported with; the PyTorch side must build with the same file. */
  readonly priorsPath: string;
  readonly info: BenchModelInfo;
  /** Export wall time when this call exported; null when the cache was used. */
  readonly exportMs: number | null;
}

async function cacheKey(priorsJson: string): Promise<string> {
  const hash = createHash('sha256').update(priorsJson);
  const trainer = join(REPO_ROOT, 'src/training/python/spinetrainer');
  const dirs = [join(REPO_ROOT, 'bench/python'), trainer, join(trainer, 'models')];
  for (const dir of dirs) {
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.py')).sort()) {
      hash.update(`${dir}/${file}\n`);
      hash.update(await readFile(join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export async function ensureFullModelSet(priors: KeypointPriors): Promise<FullModelSet> {
  const priorsJson = JSON.stringify(priors);
  const dir = join(tmpdir(), 'spinegraph-bench', `full-random-${await cacheKey(priorsJson)}`);
  let exportMs: number | null = null;
  if (!existsSync(join(dir, INFO_FILE))) {
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, PRIORS_FILE), priorsJson);
    const t0 = performance.now();
    await run(PYTHON, [join(REPO_ROOT, 'bench/python/export_full_set.py'), partial, join(partial, PRIORS_FILE)], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 16 * 2 ** 20,
      timeout: 15 * 60_000,
    });
    exportMs = performance.now() - t0;
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  }
  const info = JSON.parse(await readFile(join(dir, INFO_FILE), 'utf8')) as BenchModelInfo;
  return { dir, priorsPath: join(dir, PRIORS_FILE), info, exportMs };
}
