// Where the real DICOM samples live. The shared samples sit beside the clone (../shared/dicom-samples from the repo
// root, here and in CI); pydicom's test files come with Debian's python3-pydicom, which .ci/run installs.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_SAMPLES = fileURLToPath(new URL('../../../../shared/dicom-samples', import.meta.url));
export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export function requireDir(dir: string, hint: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`test data missing: ${dir} (${hint})`);
  return dir;
}

export const shared = (relative: string): string =>
  join(requireDir(SHARED_SAMPLES, 'the shared/ folder must sit beside the repository'), relative);
export const pydicom = (name: string): string =>
  join(requireDir(PYDICOM_FILES, 'install it with: apt-get install -y python3-pydicom'), name);

export const readBytes = (path: string): Uint8Array => readFileSync(path);

/** Every file under `dir`, recursively, except documentation. */
export function listSampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return listSampleFiles(path);
    return /\.(md|txt)$/i.test(e.name) || /^LICENSE/.test(e.name) ? [] : [path];
  });
}
