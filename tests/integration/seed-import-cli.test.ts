// `spinegraph models import-seed` refuses what it cannot convert, with the reason, and leaves nothing behind.
// (Conversions of real seed checkpoints are in the parity suite, which has the seed's code to make them.)
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/spinegraph.js', import.meta.url).pathname;

let tdb: TestDatabase;
let dir: string;

async function importSeed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'models', 'import-seed', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATABASE_URL: tdb.url, MODELS_DIR: join(dir, 'models') },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'sg-seed-import-'));
});
afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('spinegraph models import-seed', () => {
  it('names a folder that does not exist', async () => {
    const r = await importSeed([join(dir, 'nowhere'), '--name', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found: .*nowhere/);
  });

  it('refuses an unknown architecture before converting anything and leaves no files', async () => {
    const folder = join(dir, 'rsna-2024-odd-run-1');
    await mkdir(folder);
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({
        model: { type: 'VitROIModel', args: { base_model: 'vit_base', num_classes: 3 } },
        dataset: { type: 'SpinalROIDataset', args: { img_num: [5, 5], resolution: 128 } },
        trainer: { cv_fold: 5, one_fold: false },
      }),
    );
    const r = await importSeed([folder, '--name', 'odd']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown architecture: model\.type 'VitROIModel'/);
    expect(await readdir(join(dir, 'models', 'imported')).catch(() => [])).toEqual([]);
    const sets = await tdb.db.prisma.modelSet.count();
    expect(sets).toBe(0);
  });

  it('names the missing fold', async () => {
    const folder = join(dir, 'rsna-2024-gap-run-2');
    await mkdir(folder);
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({
        labels: { 'Normal/Mild': 0, Moderate: 1, Severe: 2 },
        model: { type: 'ForaminalROIModel', args: { base_model: 'resnet18', num_classes: 3, in_channels: 1 } },
        dataset: { type: 'ForaminalROIDataset', args: { img_num: 5, resolution: 128 } },
        trainer: { cv_fold: 5, one_fold: false },
      }),
    );
    const r = await importSeed([folder, '--name', 'gap']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/missing fold 1: rsna-2024-gap-run-2-cv1_best\.pt not found/);
  });
});
