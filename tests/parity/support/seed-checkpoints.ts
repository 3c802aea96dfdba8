// Random-weight seed checkpoints made by the seed's own code (make_seed_models.py), and the CLI that imports them.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const MAKE = fileURLToPath(new URL('./make_seed_models.py', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/spinegraph.js', import.meta.url));
export const PYTHON = process.env.TRAINER_PYTHON ?? '/usr/bin/python3';

export interface SeedModelSpec {
  /** Folder `rsna-2024-<name>`. */
  readonly name: string;
  /** experiments/<config> of the seed. */
  readonly config: string;
  readonly folds?: number;
  readonly oneFold?: boolean;
  readonly seed: number;
  readonly baseModel?: string;
  readonly resolution?: number;
  /** Also write the seed model's output on the check input (parity test 1); default true. */
  readonly reference?: boolean;
}

/** Writes the seed folders under `dir` and, under `dir/reference`, the seed model's PyTorch output per fold. */
export async function makeSeedModels(dir: string, spec: readonly SeedModelSpec[]): Promise<void> {
  const specPath = join(dir, 'spec.json');
  await writeFile(specPath, JSON.stringify(spec));
  await run(PYTHON, [MAKE, '--out', dir, '--spec', specPath], { maxBuffer: 1 << 24, timeout: 3_600_000 });
}

/** The seed model's output on the check input (float32, spinegraph's layout). */
export async function referenceOutput(dir: string, seedModel: string, seedFold: number): Promise<Float32Array> {
  const b = await readFile(join(dir, 'reference', `${seedModel}-cv${seedFold}.f32`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export async function spinegraph(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', TRAINER_PYTHON: PYTHON, ...env },
      timeout: 3_600_000,
      maxBuffer: 1 << 26,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
