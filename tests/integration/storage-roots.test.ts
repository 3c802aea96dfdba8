// Instance files stored relative to named data roots (docs/storage.md): old absolute rows relocated and still
// decoded, a moved root followed by its configuration alone, traversal refused, re-imports still idempotent.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStudies } from '../../src/services/import/import-studies.js';
import { loadFrame, loadStudyInputs } from '../../src/services/inference/study-input.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { readDisplayFrame } from '../../src/services/render/display-frame.js';
import { relocateStorageUris } from '../../src/services/storage/relocate.js';
import { resolveStorageUri, storageUriOf, useStorageRoots } from '../../src/services/storage/storage-uri.js';
import { generateDataset, type DatasetSummary } from '../../src/synth/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { testConfig } from '../support/test-config.js';

const SECRET = 'storage-roots-test-secret';
const BIN = new URL('../../bin/spinegraph.js', import.meta.url).pathname;
const rootsAt = (folder: string) =>
  testConfig({ DATA_ROOTS: `mri=${folder}`, DICOMWEB_CACHE_DIR: join(folder, '..', 'cache') }).storageRoots;
let work: string;
let data: DatasetSummary;
let tdb: TestDatabase;
let projectId: string;

const uris = async (): Promise<string[]> =>
  (await tdb.db.sql.query<{ storageUri: string }>(`SELECT "storageUri" FROM "Instance" ORDER BY "storageUri"`)).map((r) => r.storageUri);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sg-storage-'));
  data = await generateDataset({ outDir: join(work, 'data', 'cohort'), studies: 2, seed: 5, size: 64 });
  tdb = await createTestDatabase();
  projectId = (await ensureProject(tdb.db, 'storage')).id;
  // Imported as before data roots had names: no root configured, so the rows hold absolute file:// URLs.
  useStorageRoots([]);
  const first = await importStudies(tdb.db, { root: join(work, 'data', 'cohort'), projectId, secret: SECRET });
  expect(first.failures).toEqual([]);
}, 240_000);

afterAll(async () => {
  useStorageRoots([]);
  await tdb?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('storage URIs relative to named data roots', () => {
  it('relocates old absolute rows under a configured root; they decode through loadFrame and the renderer', async () => {
    const before = await uris();
    expect(before.length).toBe(data.fileCount);
    expect(before.every((u) => u.startsWith('file:///'))).toBe(true);
    useStorageRoots(rootsAt(join(work, 'data')));
    // Until relocated, old rows still count as known: a re-import parses nothing and reports no duplicate.
    const again = await importStudies(tdb.db, { root: join(work, 'data', 'cohort'), projectId, secret: SECRET });
    expect(again).toMatchObject({ skippedKnownFiles: data.fileCount, failures: [], instances: { added: 0 } });

    // One row whose file lies under no root: left as it is, and counted.
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = 'file:///elsewhere/x.dcm' WHERE "storageUri" = $1`, [before[0]]);
    const relocated = await relocateStorageUris(tdb.db);
    expect(relocated).toEqual({ absolute: data.fileCount, relocated: data.fileCount - 1, outsideRoots: 1 });
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = $1 WHERE "storageUri" = 'file:///elsewhere/x.dcm'`, [before[0]]);
    expect(await relocateStorageUris(tdb.db)).toEqual({ absolute: 1, relocated: 1, outsideRoots: 0 });

    const after = await uris();
    expect(after.every((u) => /^root:\/\/mri\/cohort\/train_images\/\d+\/\d+\/\d+\.dcm$/.test(u))).toBe(true);
    expect(after.some((u) => u.includes(work))).toBe(false);
    const [instance] = await tdb.db.sql.query<{ storageUri: string; rows: number; columns: number }>(
      `SELECT "storageUri", rows, columns FROM "Instance" LIMIT 1`,
    );
    const frame = await loadFrame(instance.storageUri);
    expect(frame.pixels.length).toBe(instance.rows * instance.columns);
    expect(Math.max(...frame.pixels)).toBeGreaterThan(0);
    const display = await readDisplayFrame(instance.storageUri);
    expect(display.frame.pixels).toEqual(frame.pixels);
  }, 120_000);

  it('keeps a re-import idempotent on relative rows: every file found known, nothing parsed or duplicated', async () => {
    const again = await importStudies(tdb.db, { root: join(work, 'data', 'cohort'), projectId, secret: SECRET });
    expect(again).toMatchObject({ files: data.fileCount, skippedKnownFiles: data.fileCount, failures: [], instances: { added: 0 } });
    // A fresh import under a configured root writes the relative form directly.
    const other = (await ensureProject(tdb.db, 'storage-fresh')).id;
    const fresh = await importStudies(tdb.db, { root: join(work, 'data', 'cohort'), projectId: other, secret: SECRET });
    expect(fresh.instances.added).toBe(data.fileCount);
    expect((await uris()).every((u) => u.startsWith('root://mri/cohort/'))).toBe(true);
  }, 120_000);

  it('follows a moved data root by its configuration alone: inference input and render still load', async () => {
    await rename(join(work, 'data'), join(work, 'moved'));
    const studyIds = (await tdb.db.prisma.study.findMany({ where: { projectId }, select: { id: true } })).map((s) => s.id);
    // The old configuration points at nothing now: the read fails with the instance's label, no path.
    const [stale] = await loadStudyInputs(tdb.db, studyIds.slice(0, 1));
    await expect(stale.stacks[0].slices[0].load()).rejects.toThrow(/^instance \d+: its file cannot be read \(ENOENT\)$/);

    useStorageRoots(rootsAt(join(work, 'moved')));
    const inputs = await loadStudyInputs(tdb.db, studyIds);
    const slices = inputs.flatMap((i) => i.stacks.flatMap((s) => s.slices));
    expect(slices.length).toBeGreaterThan(0);
    for (const slice of slices.slice(0, 5)) expect((await slice.load()).pixels.length).toBeGreaterThan(0);
    const [instance] = await tdb.db.sql.query<{ storageUri: string; rows: number }>(`SELECT "storageUri", rows FROM "Instance" LIMIT 1`);
    expect((await readDisplayFrame(instance.storageUri)).frame.rows).toBe(instance.rows);
  }, 120_000);

  it('names a file under DATA_DIR listed again in DATA_ROOTS (the demo) by the root "data", which every mode has', async () => {
    const dataDir = join(work, 'moved');
    const [uri] = await uris();
    const path = await resolveStorageUri(uri);
    useStorageRoots(testConfig({ DATA_DIR: dataDir, DATA_ROOTS: dataDir }).storageRoots);
    expect(storageUriOf(path)).toBe(uri.replace('root://mri/', 'root://data/'));
    // A later process without DATA_ROOTS (plain `spinegraph serve` after the demo) still reads it.
    useStorageRoots(testConfig({ DATA_DIR: dataDir }).storageRoots);
    expect(await resolveStorageUri(storageUriOf(path))).toBe(path);
    useStorageRoots(rootsAt(dataDir));
  });

  it('refuses traversal, separators smuggled in escapes, symbolic links out of the root, and unknown roots', async () => {
    const traversal = [
      'root://mri/../../../etc/passwd',
      'root://mri/cohort/%2E%2E/%2E%2E/x.dcm',
      'root://mri/cohort%2F..%2F..%2Fetc/passwd',
      'root://mri//etc/passwd',
      'root://mri/cohort/./x.dcm',
    ];
    for (const uri of traversal) {
      await expect(loadFrame(uri)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/traversal/) });
      await expect(readDisplayFrame(uri)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    // A real DICOM file outside the root, reached by a link inside it.
    const outside = join(work, 'outside');
    await mkdir(outside, { recursive: true });
    await copyFile(await resolveStorageUri((await uris())[0]), join(outside, 'x.dcm'));
    await symlink(join(outside, 'x.dcm'), join(work, 'moved', 'link.dcm'));
    await symlink(outside, join(work, 'moved', 'linked-folder'));
    for (const uri of ['root://mri/link.dcm', 'root://mri/linked-folder/x.dcm']) {
      const refusal = loadFrame(uri);
      await expect(refusal).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/symbolic link/) });
      await expect(refusal).rejects.toThrow(/^(?!.*sg-storage)/);
    }
    await expect(loadFrame('root://nowhere/cohort/x.dcm')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/data root "nowhere" .* not configured: list its folder in DATA_ROOTS as nowhere=<folder>/),
    });
    await expect(loadFrame('s3://bucket/x.dcm')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  }, 60_000);

  it('spinegraph storage relocate rewrites absolute rows under DATA_ROOTS and prints counts, never a path', async () => {
    // Back to the old absolute form (the moved folder), one of them under no root.
    const moved = join(work, 'moved');
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = replace("storageUri", 'root://mri/', $1)`, [
      `${pathToFileURL(moved).href}/`,
    ]);
    await tdb.db.sql.query(
      `UPDATE "Instance" SET "storageUri" = 'file:///elsewhere/DOE_JOHN/x.dcm' WHERE id = (SELECT id FROM "Instance" ORDER BY id LIMIT 1)`,
    );
    const total = (await uris()).length;
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'storage', 'relocate'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATABASE_URL: tdb.url, DATA_ROOTS: `mri=${moved}` },
      timeout: 120_000,
    });
    expect(stdout).toBe(
      `${total - 1} of ${total} absolute instance location(s) made relative to a data root; 1 lie under no configured root (DATA_ROOTS) and were left as they are\n`,
    );
    const after = await uris();
    expect(after.filter((u) => u.startsWith('root://mri/cohort/'))).toHaveLength(total - 1);
    expect(after.filter((u) => u.startsWith('file:'))).toEqual(['file:///elsewhere/DOE_JOHN/x.dcm']);
  }, 180_000);

  it('spinegraph import says when a folder is under no data root (its files then stored by absolute path)', async () => {
    const moved = join(work, 'moved');
    const cli = (folder: string) =>
      promisify(execFile)(process.execPath, [BIN, 'import', folder, '--project', 'cli', '--json'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LOG_LEVEL: 'silent',
          DATABASE_URL: tdb.url,
          DATA_ROOTS: `mri=${moved}`,
          PATIENT_KEY_SECRET: SECRET,
        },
        timeout: 120_000,
      });
    const inside = await cli(join(moved, 'cohort'));
    expect(inside.stderr).not.toMatch(/no data root/);
    expect(JSON.parse(inside.stdout)).toMatchObject({ instances: { added: data.fileCount }, failures: [] });
    const stored = await tdb.db.sql.query<{ storageUri: string }>(
      `SELECT i."storageUri" FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId" JOIN "Study" s ON s.id = se."studyId"
       JOIN "Project" p ON p.id = s."projectId" WHERE p.name = 'cli'`,
    );
    expect(stored).toHaveLength(data.fileCount);
    expect(stored.every((r) => r.storageUri.startsWith('root://mri/cohort/'))).toBe(true);
    const outside = await cli(join(work, 'outside'));
    expect(outside.stderr).toMatch(/^note: this folder is under no data root .* until it is listed in DATA_ROOTS/m);
  }, 180_000);
});
