// Which entry bin/spinegraph.js runs. The compiled CLI (dist/cli.js, built at install by scripts/build.mjs) starts
// in a fraction of a second; the TypeScript sources through tsx take seconds to compile on every start. The compiled
// one is used only while it is at least as new as everything it was compiled from, so a developer who edits src/
// never runs stale output: an edit (or a checkout that touches a file) sends the CLI back to the sources, silently
// correct and slower, until `npm run build` runs again.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written into the build folder by scripts/build.mjs; its mtime is the moment the compiler started reading sources. */
export const BUILD_STAMP = '.build-stamp';

/** Files outside src/ whose change changes the compiled output. */
const COMPILER_CONFIG = ['tsconfig.json', 'tsconfig.build.json'];

/** Read at run time from src/, never compiled: editing them needs no build. */
const NOT_COMPILED = [join('training', 'python')];

/**
 * The newest modification time (ms) among the compiled sources: every file and folder under src/ (a folder's
 * mtime moves when a file in it is added, removed or renamed) except the run-time Python, plus the compiler config.
 */
export function newestSourceMtimeMs(root) {
  const src = join(root, 'src');
  let newest = 0;
  const note = (path) => {
    const m = statSync(path).mtimeMs;
    if (m > newest) newest = m;
  };
  const visit = (dir, rel) => {
    note(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel ? join(rel, entry.name) : entry.name;
      if (NOT_COMPILED.includes(relPath)) continue;
      if (entry.isDirectory()) visit(join(dir, entry.name), relPath);
      else note(join(dir, entry.name));
    }
  };
  visit(src, '');
  for (const f of COMPILER_CONFIG) if (existsSync(join(root, f))) note(join(root, f));
  return newest;
}

/**
 * `{ kind: 'dist' | 'source', file, reason }` for the project at `root`. SPINEGRAPH_RUN=dist or =source forces one
 * (dist fails where there is no build). Without sources (the container image) the build is all there is.
 */
export function chooseCliEntry(root, env = process.env) {
  const source = join(root, 'src', 'cli.ts');
  const compiled = join(root, 'dist', 'cli.js');
  const stamp = join(root, 'dist', BUILD_STAMP);
  const forced = env.SPINEGRAPH_RUN;
  if (forced !== undefined && forced !== '' && forced !== 'dist' && forced !== 'source')
    throw new Error(`SPINEGRAPH_RUN must be "dist" or "source", got "${forced}"`);
  if (forced === 'source') return { kind: 'source', file: source, reason: 'SPINEGRAPH_RUN=source' };
  if (forced === 'dist') {
    if (!existsSync(compiled)) throw new Error(`SPINEGRAPH_RUN=dist but ${compiled} does not exist: run npm run build`);
    return { kind: 'dist', file: compiled, reason: 'SPINEGRAPH_RUN=dist' };
  }
  if (!existsSync(source)) return { kind: 'dist', file: compiled, reason: 'no sources' };
  if (!existsSync(compiled) || !existsSync(stamp)) return { kind: 'source', file: source, reason: 'not built' };
  if (statSync(stamp).mtimeMs < newestSourceMtimeMs(root)) return { kind: 'source', file: source, reason: 'sources newer than the build' };
  return { kind: 'dist', file: compiled, reason: 'build up to date' };
}
