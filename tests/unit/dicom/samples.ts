// The real DICOM files the tests read, committed gzip-compressed under tests/fixtures/dicom so that `npm test` needs
// nothing beside the clone: dicomParser's test set (NEMA/ClearCanvas images converted with DCMTK, David Clunie's
// deflate tests; LICENSE.dicomParser) at the top, pydicom 2.3.1's test files (LICENSE.pydicom, README.txt) under
// pydicom/. Each file is stored as `<name>.gz`; the helpers below hide the suffix.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/dicom', import.meta.url));
const PYDICOM_DIR = 'pydicom';

/** Bytes of a fixture, by its path relative to tests/fixtures/dicom without `.gz`. */
export function fixtureBytes(relative: string): Uint8Array {
  const path = join(FIXTURES, `${relative}.gz`);
  if (!existsSync(path)) throw new Error(`test fixture missing: ${path}`);
  return gunzipSync(readFileSync(path));
}

/** A dicomParser sample (NEMA / ClearCanvas / deflate tests). */
export const sample = (relative: string): Uint8Array => fixtureBytes(relative);
/** One of pydicom's test files. */
export const pydicomSample = (name: string): Uint8Array => fixtureBytes(`${PYDICOM_DIR}/${name}`);

/** Relative names (without `.gz`) of every fixture under `dir`, recursively. */
function listUnder(dir: string, prefix: string): string[] {
  return readdirSync(join(FIXTURES, dir), { withFileTypes: true }).flatMap((e) => {
    const relative = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return listUnder(join(dir, e.name), relative);
    return e.name.endsWith('.gz') ? [relative.slice(0, -'.gz'.length)] : [];
  });
}

/** The dicomParser samples (not pydicom's files, not the fuzzer's mutants under fuzz/). */
export const listSamples = (): string[] => listUnder('.', '').filter((f) => !f.startsWith(`${PYDICOM_DIR}/`) && !f.startsWith('fuzz/'));
/** pydicom's test files, relative to its folder. */
export const listPydicomSamples = (): string[] => listUnder(PYDICOM_DIR, '');
