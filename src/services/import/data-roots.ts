// Import paths are confined to the configured data roots: `..`, absolute escapes and symlinks out of a root
// are refused by comparing real paths, after every link has been resolved.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { AppError, badInput } from '../../domain/errors.js';

export async function confineToDataRoots(requested: string, roots: readonly string[]): Promise<string> {
  if (!requested || requested.includes('\0')) throw badInput('The import path is empty or malformed', { field: 'path' });
  if (roots.length === 0) throw new AppError('FORBIDDEN', 'Imports through the API are disabled: no DATA_ROOTS are configured');
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
  // A relative path is taken relative to the first root, never to the server's working folder.
  const candidate = isAbsolute(requested) ? requested : resolve(roots[0], requested);
  const real = await realpath(candidate).catch(() => null);
  if (!real) throw badInput(`The import path ${requested} does not exist`, { field: 'path' });
  const inside = realRoots.some((root) => root !== null && (real === root || (!relative(root, real).startsWith('..') && !isAbsolute(relative(root, real)))));
  if (!inside) throw new AppError('FORBIDDEN', `The import path ${requested} is outside the configured data roots`);
  if (!(await stat(real)).isDirectory()) throw badInput(`The import path ${requested} is not a folder`, { field: 'path' });
  return real;
}
