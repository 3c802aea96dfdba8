// The compiled CLI (scripts/build.mjs, run at install) behaves as the sources do, worker threads included, and
// bin/spinegraph.js picks it only while it is up to date. Built into a private folder beside dist/ (same depth,
// so its run-time paths resolve the same way), never over the checkout's own dist/.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const OUT = `dist.check-${process.pid}`;
const BIN = join(ROOT, 'bin', 'spinegraph.js');
let work: string;

const node = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
    timeout: 240_000,
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sg-cli-build-'));
  const built = await node([join(ROOT, 'scripts', 'build.mjs'), '--out-dir', OUT]);
  expect(built.stdout).toMatch(/compiled src\/ to/);
}, 300_000);

afterAll(async () => {
  await rm(join(ROOT, OUT), { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the compiled CLI', () => {
  it('prints the same help as the sources', async () => {
    const compiled = await node([join(ROOT, OUT, 'cli.js'), '--help']);
    const source = await node([BIN, '--help'], { SPINEGRAPH_RUN: 'source' });
    expect(compiled.stdout).toContain('Usage: spinegraph');
    expect(compiled.stdout).toBe(source.stdout);
  }, 120_000);

  it('runs a command that starts worker threads from the compiled modules (no tsx)', async () => {
    const out = join(work, 'cohort');
    const { stdout } = await node([join(ROOT, OUT, 'cli.js'), 'synth', '--out', out, '--studies', '2', '--size', '64', '--seed', '3']);
    expect(stdout).toMatch(/wrote 2 studies, \d+ files/);
  }, 120_000);
});

describe('bin/spinegraph.js', () => {
  it('names a bad SPINEGRAPH_RUN instead of running anything', async () => {
    await expect(node([BIN, '--help'], { SPINEGRAPH_RUN: 'fast' })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('SPINEGRAPH_RUN must be "dist" or "source", got "fast"'),
    });
  });
});
