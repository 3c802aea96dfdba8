// Named data roots: every stored instance path is relative to one (services/storage/storage-uri.ts), so no server
// path is stored and data can move by changing the configuration. DATA_ROOTS entries are `name=/folder` or a plain
// `/folder`, whose name is derived from its resolved path alone (a folder name may carry PHI).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export interface StorageRoot {
  readonly name: string;
  /** Absolute folder. */
  readonly path: string;
}

export const ROOT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** DATA_DIR (the embedded database, the demo's cohort): a root in every mode, so the demo's files stay readable. */
export const DATA_DIR_ROOT = 'data';
/** The root the DICOMweb pulls write to (DICOMWEB_CACHE_DIR). */
export const DICOMWEB_ROOT = 'dicomweb';
/** With DATA_ROOTS empty (development, the demo): the working folder. */
export const WORKING_ROOT = 'cwd';

/**
 * Names of the roots imports register for folders under no configured root (services/storage/registered-roots.ts):
 * this prefix and 10 random hex digits. Reserved: no DATA_ROOTS entry may take such a name, so a configured root
 * never shadows a registered one.
 */
export const REGISTERED_ROOT_PREFIX = 'registered-';

/** The name a root listed without one gets: `r` and 10 hex digits of the SHA-256 of its resolved path. */
export function derivedRootName(path: string): string {
  return `r${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 10)}`;
}

/**
 * DATA_ROOTS entries -> named roots, after DATA_DIR and the DICOMweb cache (listed first: of two roots with one folder
 * the first names its files). Throws naming the problem (a clash, a bad name).
 */
export function parseStorageRoots(entries: readonly string[], dataDir: string, dicomwebCacheDir: string): StorageRoot[] {
  const listed: StorageRoot[] = entries.map((entry) => {
    const named = /^([^=/\\]+)=(.+)$/.exec(entry);
    if (!named) return { name: derivedRootName(entry), path: resolve(entry) };
    const name = named[1].trim();
    if (!ROOT_NAME.test(name)) throw new Error(`root name "${name}": lower-case letters, digits and ._- only (at most 64)`);
    if (name.startsWith(REGISTERED_ROOT_PREFIX))
      throw new Error(`root name "${name}": names starting with "${REGISTERED_ROOT_PREFIX}" are kept for registered roots`);
    return { name, path: resolve(named[2].trim()) };
  });
  const roots: StorageRoot[] = [{ name: DATA_DIR_ROOT, path: dataDir }, { name: DICOMWEB_ROOT, path: dicomwebCacheDir }, ...listed];
  if (entries.length === 0) roots.push({ name: WORKING_ROOT, path: resolve('.') });
  const seen = new Map<string, string>();
  for (const r of roots) {
    const other = seen.get(r.name);
    if (other !== undefined) throw new Error(`two roots are named "${r.name}" (${other} and ${r.path}); give one another name`);
    seen.set(r.name, r.path);
  }
  return roots;
}
