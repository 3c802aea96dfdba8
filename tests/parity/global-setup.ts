// Fails `npm run test:parity` at once, saying what is missing, when the seed's reference code or the Debian
// Python packages it needs are not there.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const REFERENCE_DIR = resolve('../shared/reference');
const PYTHON = '/usr/bin/python3';
const MODULES = ['numpy', 'pandas', 'cv2', 'pydicom', 'scipy', 'sklearn', 'torch', 'tqdm', 'PIL', 'yaml'];

export default function setup(): void {
  const needs =
    'npm run test:parity needs ../shared/reference (the 9th-place seed code and its pinned libraries, beside the clone) and ' +
    `Debian's ${PYTHON} with python3-numpy python3-pandas python3-opencv python3-pydicom python3-scipy python3-sklearn ` +
    'python3-torch python3-tqdm python3-pil python3-yaml (.ci/run installs them), plus PostgreSQL for the metric test.';
  if (!existsSync(resolve(REFERENCE_DIR, 'seed_env.py')) || !existsSync(resolve(REFERENCE_DIR, 'rsna2024-seed/rsna2024')))
    throw new Error(`${needs}\nMissing: ${REFERENCE_DIR} (seed_env.py, rsna2024-seed/rsna2024).`);
  if (!existsSync(PYTHON)) throw new Error(`${needs}\nMissing: ${PYTHON}.`);
  try {
    execFileSync(PYTHON, ['-c', `import ${MODULES.join(', ')}`], { stdio: 'pipe', timeout: 120_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`${needs}\nA Python import failed: ${err.stderr?.toString().trim().split('\n').pop() ?? String(e)}`);
  }
}
