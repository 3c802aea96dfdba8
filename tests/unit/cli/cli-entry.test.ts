// bin/spinegraph.js runs dist/ only while the build is at least as new as every compiled source; anything else
// (an edit, a new or removed file, a compiler config change, no build) runs the sources through tsx.
import { mkdir, mkdtemp, rm, utimes, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_STAMP, chooseCliEntry } from '../../../bin/cli-entry.js';

let root: string;
const past = new Date('2026-01-01T00:00:00Z');
const built = new Date('2026-01-02T00:00:00Z');
const later = new Date('2026-01-03T00:00:00Z');

async function file(rel: string, at: Date = past): Promise<void> {
  const path = join(root, rel);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '');
  await utimes(path, at, at);
}

/** Every folder's mtime back to `past` (creating files moved them to now). */
async function settleFolders(): Promise<void> {
  for (const dir of ['src/cli', 'src/training/python', 'src/training', 'src', 'dist']) await utimes(join(root, dir), past, past);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sg-cli-entry-'));
  await file('src/cli.ts');
  await file('src/cli/commands.ts');
  await file('src/training/python/train.py');
  await file('tsconfig.json');
  await file('tsconfig.build.json');
  await file('dist/cli.js');
  await file(`dist/${BUILD_STAMP}`, built);
  await settleFolders();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (env: Record<string, string> = {}) => chooseCliEntry(root, env);

describe('chooseCliEntry', () => {
  it('runs the build while it is newer than every source', () => {
    expect(run()).toEqual({ kind: 'dist', file: join(root, 'dist', 'cli.js'), reason: 'build up to date' });
  });

  it('runs the sources once a source file is edited after the build', async () => {
    await utimes(join(root, 'src/cli/commands.ts'), later, later);
    expect(run()).toMatchObject({ kind: 'source', file: join(root, 'src', 'cli.ts'), reason: 'sources newer than the build' });
  });

  it('runs the sources once a source file is added or removed (its folder changed)', async () => {
    await unlink(join(root, 'src/cli/commands.ts'));
    await utimes(join(root, 'src/cli'), later, later);
    expect(run().kind).toBe('source');
  });

  it('runs the sources when the compiler config changed', async () => {
    await utimes(join(root, 'tsconfig.json'), later, later);
    expect(run().kind).toBe('source');
  });

  it('ignores the run-time Python, which is never compiled', async () => {
    await utimes(join(root, 'src/training/python/train.py'), later, later);
    await utimes(join(root, 'src/training/python'), later, later);
    expect(run().kind).toBe('dist');
  });

  it('runs the sources where there is no build, or a build without its stamp (interrupted)', async () => {
    await unlink(join(root, 'dist', BUILD_STAMP));
    expect(run()).toMatchObject({ kind: 'source', reason: 'not built' });
    await rm(join(root, 'dist'), { recursive: true });
    expect(run()).toMatchObject({ kind: 'source', reason: 'not built' });
  });

  it('runs the build where there are no sources (the container image)', async () => {
    await rm(join(root, 'src/cli.ts'));
    expect(run()).toMatchObject({ kind: 'dist', reason: 'no sources' });
  });

  it('obeys SPINEGRAPH_RUN, and refuses a value it does not know or a dist that does not exist', async () => {
    expect(run({ SPINEGRAPH_RUN: 'source' }).kind).toBe('source');
    await utimes(join(root, 'src/cli.ts'), later, later);
    expect(run({ SPINEGRAPH_RUN: 'dist' }).kind).toBe('dist');
    expect(() => run({ SPINEGRAPH_RUN: 'compiled' })).toThrow(/SPINEGRAPH_RUN must be "dist" or "source", got "compiled"/);
    await rm(join(root, 'dist'), { recursive: true });
    expect(() => run({ SPINEGRAPH_RUN: 'dist' })).toThrow(/npm run build/);
  });
});
