// Registering model sets: validated against the ONNX files, idempotent, the first set active, one active at a time.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateModelSet, registerModelSet } from '../../src/services/model-registry.service.js';
import { writeFixtureModelSet } from '../fixtures/models/fixture-model-set.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let tdb: TestDatabase;
let dir: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'sg-registry-'));
  await writeFixtureModelSet(join(dir, 'a'));
  await writeFixtureModelSet(join(dir, 'b'), { roiSize: 24 });
});

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('model set registration', () => {
  it('makes the first set registered in a database active, and the same files twice make one set', async () => {
    const first = await registerModelSet(tdb.db, join(dir, 'a'));
    expect(first.created).toBe(true);
    expect(first.set.isActive).toBe(true);
    const again = await registerModelSet(tdb.db, join(dir, 'a'), { name: 'another-name' });
    expect(again.created).toBe(false);
    expect(again.set.id).toBe(first.set.id);
    expect(await tdb.db.prisma.modelSet.count()).toBe(1);
    const versions = await tdb.db.prisma.modelVersion.count();
    expect(versions).toBe(await tdb.db.prisma.modelSetMember.count({ where: { modelSetId: first.set.id } }));
  });

  it('registers a second set inactive unless asked, and keeps exactly one set active', async () => {
    const second = await registerModelSet(tdb.db, join(dir, 'b'));
    expect(second.set.isActive).toBe(false);
    await activateModelSet(tdb.db, second.set.id);
    const active = await tdb.db.prisma.modelSet.findMany({ where: { isActive: true } });
    expect(active.map((s) => s.id)).toEqual([second.set.id]);
  });

  it('refuses a manifest that disagrees with its ONNX file, naming it, and stores nothing', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    for (const f of ['classifier-spinal-fold0.onnx', 'classifier-spinal-fold0.manifest.json'])
      await copyFile(join(dir, 'a', f), join(bad, f));
    const manifestPath = join(bad, 'classifier-spinal-fold0.manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { input: { name: string } };
    manifest.input.name = 'not-the-input';
    await writeFile(manifestPath, JSON.stringify(manifest));
    const before = await tdb.db.prisma.modelSet.count();
    await expect(registerModelSet(tdb.db, bad)).rejects.toMatchObject({
      code: 'MODEL_MISMATCH',
      message: expect.stringContaining('classifier-spinal-fold0'),
    });
    expect(await tdb.db.prisma.modelSet.count()).toBe(before);
  });
});
