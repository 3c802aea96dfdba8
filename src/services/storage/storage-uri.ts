// Where an instance's file lies, as stored in Instance.storageUri: `root://<root name>/<path below the root>` (POSIX
// separators, each segment percent-encoded). The configured roots' folders come from the configuration
// (config.storageRoots: DATA_ROOTS, DATA_DIR, the DICOMweb cache, the working folder when DATA_ROOTS is empty); an
// import of a folder under none of them registers it in the database (registered-roots.ts). So no server path is
// stored, and data can move by changing the configuration or the registered folder alone. Rows written before this
// form (absolute `file://` URLs) still resolve until `spinegraph db migrate` relocates them (relocate.ts).
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REGISTERED_ROOT_PREFIX, type StorageRoot } from '../../config/storage-roots.js';
import type { Database } from '../../db/client.js';
import { AppError } from '../../domain/errors.js';
import { registeredRootPath } from './registered-roots.js';

export type { StorageRoot };
const SCHEME = 'root://';

// The roots of this process, from its configuration: set once by each entry point (server, worker, command line).
let configured: readonly StorageRoot[] = [];

/** Sets the configured roots (server, worker and command-line start-up). */
export function useStorageRoots(roots: readonly StorageRoot[]): void {
  // Real paths: the import names files by theirs. A root not yet created keeps its configured path.
  configured = roots.map((r) => ({ name: r.name, path: realOrResolved(r.path) }));
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === '') return '';
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? null : rel;
}

function deepest(roots: readonly StorageRoot[], path: string): { root: StorageRoot; rel: string } | null {
  let best: { root: StorageRoot; rel: string } | null = null;
  for (const root of roots) {
    const rel = inside(root.path, path);
    if (rel && (!best || root.path.length > best.root.path.length)) best = { root, rel };
  }
  return best;
}

const uriOf = (root: StorageRoot, rel: string): string => `${SCHEME}${root.name}/${rel.split(sep).map(encodeURIComponent).join('/')}`;

/**
 * The storage URI of a file (its real path): relative to the deepest configured root holding it; else to the
 * deepest of `registered` (the database's registered roots) holding it. Configured roots come first, so listing a
 * folder in DATA_ROOTS names its new files by that root. A file under no root at all gets the absolute `file://`
 * form, which only a caller that registers no root for its folder writes (none does: import-studies.ts registers).
 */
export function storageUriOf(path: string, registered: readonly StorageRoot[]): string {
  const best = deepest(configured, path) ?? deepest(registered, path);
  return best ? uriOf(best.root, best.rel) : pathToFileURL(path).href;
}

/**
 * Every form a file may already be stored under: relative to each root holding it (configured or registered) and
 * the absolute `file://` URL of old rows. A re-import counts the file as known under any of them.
 */
export function storageUrisOf(path: string, registered: readonly StorageRoot[]): string[] {
  const uris = [...configured, ...registered].flatMap((root) => {
    const rel = inside(root.path, path);
    return rel ? [uriOf(root, rel)] : [];
  });
  return [...uris, pathToFileURL(path).href];
}

/** Whether `folder` lies under a configured root (else an import of it registers a root for it). */
export async function isUnderConfiguredRoot(folder: string): Promise<boolean> {
  const real = await realpath(folder).catch(() => resolve(folder));
  return configured.some((root) => inside(root.path, real) !== null);
}

function refused(message: string): AppError {
  return new AppError('FORBIDDEN', `Stored storage URI refused: ${message}`);
}

/** The root name and path segments of a `root://` URI, checked: no empty, `.`, `..` or separator-carrying segment. */
function parse(uri: string): { name: string; segments: string[] } {
  const match = /^root:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw refused('not of the form root://<name>/<path>');
  const [, name, rest] = match;
  const segments = rest.split('/').map((s) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      throw refused('a path segment is not valid percent-encoding');
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded))
      throw refused('its path has an empty, "." or ".." segment, or an escaped separator (traversal)');
    return decoded;
  });
  return { name, segments };
}

/** The folder of a root by name: configured roots first, then those registered in the database. */
async function rootNamed(db: Database, name: string): Promise<StorageRoot> {
  const root = configured.find((r) => r.name === name);
  if (root) return root;
  const registered = name.startsWith(REGISTERED_ROOT_PREFIX) ? await registeredRootPath(db, name) : null;
  if (registered !== null) return { name, path: registered };
  throw new AppError(
    'NOT_FOUND',
    name.startsWith(REGISTERED_ROOT_PREFIX)
      ? `The data root "${name}" of a stored instance is not registered in this database (docs/storage.md)`
      : `The data root "${name}" of a stored instance is not configured: list its folder in DATA_ROOTS as ${name}=<folder> (docs/storage.md)`,
    { details: { root: name } },
  );
}

/**
 * The path an instance's file has, without touching the disk: for messages relative to an import folder.
 * Old `file://` rows give their absolute path.
 */
export function storagePathOf(uri: string, registered: readonly StorageRoot[]): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const { name, segments } = parse(uri);
  const root = configured.find((r) => r.name === name) ?? registered.find((r) => r.name === name);
  if (!root) throw new AppError('NOT_FOUND', `The data root "${name}" of a stored instance is unknown`, { details: { root: name } });
  return join(root.path, ...segments);
}

/**
 * The real path of the file a storage URI names, for reading. Refused (FORBIDDEN) when the URI would leave its root,
 * a symbolic link included; NOT_FOUND when its root is neither configured nor registered in `db`. A missing file gives its would-be path (the
 * read reports it). Errors name the root, never a path.
 */
export async function resolveStorageUri(db: Database, uri: string): Promise<string> {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const { name, segments } = parse(uri);
  const root = await rootNamed(db, name);
  const rootReal = await realpath(root.path).catch(() => root.path);
  const path = join(rootReal, ...segments);
  const real = await realpath(path).catch(() => null);
  if (real === null) return path;
  if (inside(rootReal, real) === null) throw refused(`it leads out of data root "${root.name}" through a symbolic link`);
  return real;
}
