// Import paths are confined to the configured data roots: `..`, absolute escapes and symlinks out of a root
// are refused by comparing real paths, after every link has been resolved.
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError, badInput } from '../../domain/errors.js';

export async function confineToDataRoots(requested: string, roots: readonly string[]): Promise<string> {
  if (!requested || requested.includes('\0')) throw badInput('The import path is empty or malformed', { field: 'path' });
  if (roots.length === 0) throw new AppError('FORBIDDEN', 'Imports through the API are disabled: no DATA_ROOTS are configured');
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
  // A relative path is taken relative to the first root, never to the server's working folder.
  const candidate = isAbsolute(requested) ? requested : resolve(roots[0], requested);
  const real = await realpath(candidate).catch(() => null);
  // A missing path is placed by its nearest existing ancestor, so that whether something exists outside the roots
  // cannot be probed: outside is FORBIDDEN whether it exists or not.
  const located = real ?? (await nearestRealPath(candidate));
  if (!realRoots.some((root) => isInside(root, located))) {
    throw new AppError('FORBIDDEN', `The import path ${requested} is outside the configured data roots`);
  }
  if (!real) throw badInput(`The import path ${requested} does not exist`, { field: 'path' });
  if (!(await stat(real)).isDirectory()) throw badInput(`The import path ${requested} is not a folder`, { field: 'path' });
  return real;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of the deepest existing ancestor, with the missing rest of `path` appended. */
async function nearestRealPath(path: string): Promise<string> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    const real = await realpath(current).catch(() => null);
    if (real) return join(real, ...missing.reverse());
    const parent = dirname(current);
    if (parent === current) return resolve(path);
    missing.push(basename(current));
    current = parent;
  }
}
