// Every file an import opens stays inside the import folder (itself confined to DATA_ROOTS): each path is resolved
// with realpath, checked against the folder's real path, opened without following a final link, and the opened
// descriptor's own path is checked again (/proc/self/fd), so a link swapped in between the check and the open is
// caught too. Links that stay inside are followed; links that leave are refused and reported, never read.
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AppError } from '../../domain/errors.js';

/** A file found by the walk: the path it was found under (names studies and series) and the real path read. */
export interface ListedFile {
  readonly path: string;
  readonly realPath: string;
}

/** Something the walk did not follow, with the path it was found under. */
export interface RefusedEntry {
  readonly path: string;
  readonly code: 'FORBIDDEN' | 'NOT_FOUND';
  readonly reason: string;
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export const OUTSIDE_REASON = 'a link that leads outside the import folder; not followed';

function outside(path: string): AppError {
  return new AppError('FORBIDDEN', OUTSIDE_REASON, { details: { path } });
}

/** The real path of `path` when it lies inside `boundary` (a real path); FORBIDDEN otherwise. */
export async function confinedRealPath(boundary: string, path: string): Promise<string> {
  const real = await realpath(path);
  if (!isInside(boundary, real)) throw outside(path);
  return real;
}

/** Reads a regular file inside `boundary`; FORBIDDEN for a file (or a link to one) outside it. */
export async function readConfinedFile(boundary: string, path: string): Promise<Buffer> {
  const real = await confinedRealPath(boundary, path);
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    // What was opened, not what was checked: a folder on the way swapped for a link after realpath shows here.
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => real);
    if (!isInside(boundary, opened)) throw outside(path);
    if (!(await handle.stat()).isFile()) throw new AppError('BAD_USER_INPUT', 'not a regular file', { details: { path } });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** A regular file (or a link to one inside `boundary`); null when absent, not a file, or a link leading out. */
export async function confinedFileOrNull(boundary: string, path: string): Promise<string | null> {
  const info = await lstat(path).catch(() => null);
  if (!info) return null;
  if (info.isFile()) return path;
  if (!info.isSymbolicLink()) return null;
  const real = await realpath(path).catch(() => null);
  if (!real || !isInside(boundary, real)) return null;
  return (await stat(real)).isFile() ? path : null;
}

/**
 * Every regular file under `dir` (sorted by the path it was found under), hidden entries skipped. Links inside
 * `boundary` are followed (each real folder walked once, so link cycles end); links leading out, and broken links,
 * are returned in `refused`.
 */
export async function listConfinedFiles(boundary: string, dir: string): Promise<{ files: ListedFile[]; refused: RefusedEntry[] }> {
  const files: ListedFile[] = [];
  const refused: RefusedEntry[] = [];
  const walked = new Set<string>();
  const walk = async (logical: string, real: string): Promise<void> => {
    if (walked.has(real)) return;
    walked.add(real);
    const entries = await readdir(real, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(logical, e.name);
      const target = join(real, e.name);
      if (e.isDirectory()) await walk(path, target);
      else if (e.isFile()) files.push({ path, realPath: target });
      else if (e.isSymbolicLink()) {
        const resolved = await realpath(target).catch(() => null);
        if (resolved === null) refused.push({ path, code: 'NOT_FOUND', reason: 'a broken link; not followed' });
        else if (!isInside(boundary, resolved)) refused.push({ path, code: 'FORBIDDEN', reason: OUTSIDE_REASON });
        else {
          const info = await stat(resolved);
          if (info.isDirectory()) await walk(path, resolved);
          else if (info.isFile()) files.push({ path, realPath: resolved });
        }
      }
    }
  };
  const start = await realpath(dir);
  if (!isInside(boundary, start)) refused.push({ path: dir, code: 'FORBIDDEN', reason: OUTSIDE_REASON });
  else await walk(dir, start);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, refused };
}
