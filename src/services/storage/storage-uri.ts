// Where an instance's file lies, as stored in Instance.storageUri: `root://<root name>/<path below the root>` (POSIX
// separators, each segment percent-encoded). The roots' folders come from the configuration (config.storageRoots:
// DATA_ROOTS, the DICOMweb cache, the working folder when DATA_ROOTS is empty), so data can move by changing the
// configuration alone, and no server path is stored for a file under a root. Rows written before this form (absolute
// `file://` URLs) still resolve until `spinegraph storage relocate` rewrites them (services/storage/relocate.ts).
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StorageRoot } from '../../config/storage-roots.js';
import { AppError } from '../../domain/errors.js';

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

/**
 * The storage URI of a file (its real path): relative to the deepest configured root holding it. A file under no
 * root (an import of a folder outside DATA_ROOTS from the command line or a test, in a process whose working folder
 * does not hold it either) keeps the absolute `file://` form, which `spinegraph storage relocate` rewrites once its
 * folder is configured as a root.
 */
export function storageUriOf(path: string): string {
  let best: { root: StorageRoot; rel: string } | null = null;
  for (const root of configured) {
    const rel = inside(root.path, path);
    if (rel && (!best || root.path.length > best.root.path.length)) best = { root, rel };
  }
  return best ? `${SCHEME}${best.root.name}/${best.rel.split(sep).map(encodeURIComponent).join('/')}` : pathToFileURL(path).href;
}

/** Whether files found under `folder` get a relative storage URI (the folder lies under a configured root). */
export async function isUnderStorageRoot(folder: string): Promise<boolean> {
  const real = await realpath(folder).catch(() => resolve(folder));
  return configured.some((root) => inside(root.path, real) !== null);
}

function refused(message: string): AppError {
  return new AppError('FORBIDDEN', `Stored storage URI refused: ${message}`);
}

/** The root and path segments of a `root://` URI, checked: no empty, `.`, `..` or separator-carrying segment. */
function parse(uri: string): { root: StorageRoot; segments: string[] } {
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
  const root = configured.find((r) => r.name === name);
  if (!root)
    throw new AppError(
      'NOT_FOUND',
      `The data root "${name}" of a stored instance is not configured: list its folder in DATA_ROOTS as ${name}=<folder> (docs/storage.md)`,
      { details: { root: name } },
    );
  return { root, segments };
}

/**
 * The path an instance's file has, without touching the disk: for messages relative to an import folder.
 * Old `file://` rows give their absolute path.
 */
export function storagePathOf(uri: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const { root, segments } = parse(uri);
  return join(root.path, ...segments);
}

/**
 * The real path of the file a storage URI names, for reading. Refused (FORBIDDEN) when the URI would leave its root,
 * a symbolic link included; NOT_FOUND when its root is not configured. A missing file gives its would-be path (the
 * read reports it). Errors name the root, never a path.
 */
export async function resolveStorageUri(uri: string): Promise<string> {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const { root, segments } = parse(uri);
  const rootReal = await realpath(root.path).catch(() => root.path);
  const path = join(rootReal, ...segments);
  const real = await realpath(path).catch(() => null);
  if (real === null) return path;
  if (inside(rootReal, real) === null) throw refused(`it leads out of data root "${root.name}" through a symbolic link`);
  return real;
}
