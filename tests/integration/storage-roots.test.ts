// Instance files stored relative to named data roots (docs/storage.md): a folder under no configured root registered
// as a root of its own (no absolute path stored or answered), old absolute rows relocated by `db migrate` and still
// decoded, a moved root followed by its configuration alone, traversal refused, re-imports still idempotent.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, rename, rm, symlink, truncate } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { imageRoutes } from '../../src/http/image-routes.js';
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
let server: Server;
let base: string;

const uris = async (): Promise<string[]> =>
  (await tdb.db.sql.query<{ storageUri: string }>(`SELECT "storageUri" FROM "Instance" ORDER BY "storageUri"`)).map((r) => r.storageUri);
const registeredRoots = (): Promise<{ name: string; path: string }[]> =>
  tdb.db.sql.query<{ name: string; path: string }>(`SELECT name, path FROM "StorageRoot" ORDER BY "createdAt", name`);
const projectUris = async (project: string): Promise<string[]> =>
  (
    await tdb.db.sql.query<{ storageUri: string }>(
      `SELECT i."storageUri" FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId" JOIN "Study" s ON s.id = se."studyId"
       JOIN "Project" p ON p.id = s."projectId" WHERE p.name = $1 ORDER BY i."storageUri"`,
      [project],
    )
  ).map((r) => r.storageUri);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sg-storage-'));
  data = await generateDataset({ outDir: join(work, 'data', 'cohort'), studies: 2, seed: 5, size: 64 });
  tdb = await createTestDatabase();
  projectId = (await ensureProject(tdb.db, 'storage')).id;
  const app = express();
  app.use(imageRoutes(tdb.db));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  useStorageRoots([]);
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await tdb?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('storage URIs relative to named data roots', () => {
  it('registers a folder imported from under no root as a root with a random name: no absolute path stored', async () => {
    // No root configured (a command-line import of a folder outside DATA_ROOTS).
    useStorageRoots([]);
    const cohort = join(work, 'data', 'cohort');
    const first = await importStudies(tdb.db, { root: cohort, projectId, secret: SECRET });
    expect(first).toMatchObject({ failures: [], instances: { added: data.fileCount } });
    expect(JSON.stringify(first)).not.toContain(work);
    const roots = await registeredRoots();
    expect(roots).toEqual([{ name: expect.stringMatching(/^registered-[0-9a-f]{10}$/), path: await realpath(cohort) }]);
    const stored = await uris();
    expect(stored).toHaveLength(data.fileCount);
    for (const u of stored) expect(u).toMatch(new RegExp(`^root://${roots[0].name}/train_images/\\d+/\\d+/\\d+\\.dcm$`));
    // Known on a re-import (nothing parsed), and an import of a folder inside it reuses the root.
    const again = await importStudies(tdb.db, { root: cohort, projectId, secret: SECRET });
    expect(again).toMatchObject({ skippedKnownFiles: data.fileCount, failures: [], instances: { added: 0 } });
    const inner = await importStudies(tdb.db, { root: join(cohort, 'train_images'), projectId, secret: SECRET });
    expect(inner).toMatchObject({ skippedKnownFiles: data.fileCount, instances: { added: 0 } });
    expect(await registeredRoots()).toEqual(roots);
  }, 120_000);

  it("reads a registered root's files back for inference (loadStudyInputs) and through the image route", async () => {
    const studyIds = (await tdb.db.prisma.study.findMany({ where: { projectId }, select: { id: true } })).map((s) => s.id);
    const inputs = await loadStudyInputs(tdb.db, studyIds);
    const slices = inputs.flatMap((i) => i.stacks.flatMap((s) => s.slices));
    expect(slices.length).toBeGreaterThan(0);
    for (const slice of slices.slice(0, 5)) expect(Math.max(...(await slice.load()).pixels)).toBeGreaterThan(0);
    const instance = await tdb.db.prisma.instance.findFirstOrThrow({ include: { series: true } });
    const res = await fetch(`${base}/studies/${instance.series.studyId}/instances/${instance.id}.png?keypoints=0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  }, 120_000);

  it('answers a broken file under a registered root without naming its path', async () => {
    const other = (await ensureProject(tdb.db, 'storage-broken')).id;
    const broken = join(work, 'broken', 'DOE_JOHN_19440229');
    await mkdir(broken, { recursive: true });
    await copyFile(await resolveStorageUri(tdb.db, (await uris())[0]), join(broken, '1.dcm'));
    const imported = await importStudies(tdb.db, { root: broken, projectId: other, secret: SECRET });
    expect(imported).toMatchObject({ failures: [], instances: { added: 1 } });
    const [uri] = await projectUris('storage-broken');
    expect(uri).toMatch(/^root:\/\/registered-[0-9a-f]{10}\/1\.dcm$/);
    await truncate(join(broken, '1.dcm'), 600);
    const instance = await tdb.db.prisma.instance.findFirstOrThrow({ where: { storageUri: uri }, include: { series: true } });
    const res = await fetch(`${base}/studies/${instance.series.studyId}/instances/${instance.id}.png`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const body = await res.text();
    expect(body).toMatch(/INVALID_DICOM/);
    expect(body).not.toMatch(/DOE_JOHN|sg-storage|\.dcm/);
    await tdb.db.sql.query(`DELETE FROM "Study" WHERE "projectId" = $1::uuid`, [other]);
  }, 60_000);

  it('relocates old absolute rows under a configured root; they decode through loadFrame and the renderer', async () => {
    // Rows as written before data roots had names: absolute file:// URLs, no registered root.
    const [root] = await registeredRoots();
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = replace("storageUri", $1, $2)`, [
      `root://${root.name}/`,
      `${pathToFileURL(root.path).href}/`,
    ]);
    await tdb.db.sql.query(`DELETE FROM "StorageRoot"`);
    const before = await uris();
    expect(before.length).toBe(data.fileCount);
    expect(before.every((u) => u.startsWith('file:///'))).toBe(true);
    useStorageRoots(rootsAt(join(work, 'data')));
    // Until relocated, old rows still count as known: a re-import parses nothing and reports no duplicate.
    const again = await importStudies(tdb.db, { root: join(work, 'data', 'cohort'), projectId, secret: SECRET });
    expect(again).toMatchObject({ skippedKnownFiles: data.fileCount, failures: [], instances: { added: 0 } });

    // One row whose file lies under no configured root: its folder is registered as a root.
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = 'file:///elsewhere/x.dcm' WHERE "storageUri" = $1`, [before[0]]);
    const relocated = await relocateStorageUris(tdb.db);
    expect(relocated).toEqual({
      absolute: data.fileCount,
      underConfiguredRoots: data.fileCount - 1,
      underRegisteredRoots: 1,
      rootsRegistered: 1,
    });
    const [elsewhere] = await registeredRoots();
    expect(elsewhere.path).toBe('/elsewhere');
    expect((await uris()).filter((u) => u.startsWith('root://registered-'))).toEqual([`root://${elsewhere.name}/x.dcm`]);
    expect(await relocateStorageUris(tdb.db)).toEqual({
      absolute: 0,
      underConfiguredRoots: 0,
      underRegisteredRoots: 0,
      rootsRegistered: 0,
    });
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = $1 WHERE "storageUri" = $2`, [
      before[0],
      `root://${elsewhere.name}/x.dcm`,
    ]);
    expect(await relocateStorageUris(tdb.db)).toEqual({
      absolute: 1,
      underConfiguredRoots: 1,
      underRegisteredRoots: 0,
      rootsRegistered: 0,
    });

    const after = await uris();
    expect(after.every((u) => /^root:\/\/mri\/cohort\/train_images\/\d+\/\d+\/\d+\.dcm$/.test(u))).toBe(true);
    expect(after.some((u) => u.includes(work))).toBe(false);
    const [instance] = await tdb.db.sql.query<{ storageUri: string; rows: number; columns: number }>(
      `SELECT "storageUri", rows, columns FROM "Instance" LIMIT 1`,
    );
    const frame = await loadFrame(tdb.db, instance.storageUri);
    expect(frame.pixels.length).toBe(instance.rows * instance.columns);
    expect(Math.max(...frame.pixels)).toBeGreaterThan(0);
    const display = await readDisplayFrame(tdb.db, instance.storageUri);
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
    expect((await readDisplayFrame(tdb.db, instance.storageUri)).frame.rows).toBe(instance.rows);
  }, 120_000);

  it('names a file under DATA_DIR listed again in DATA_ROOTS (the demo) by the root "data", which every mode has', async () => {
    const dataDir = join(work, 'moved');
    const [uri] = await uris();
    const path = await resolveStorageUri(tdb.db, uri);
    useStorageRoots(testConfig({ DATA_DIR: dataDir, DATA_ROOTS: dataDir }).storageRoots);
    expect(storageUriOf(path, [])).toBe(uri.replace('root://mri/', 'root://data/'));
    // A later process without DATA_ROOTS (plain `spinegraph serve` after the demo) still reads it.
    useStorageRoots(testConfig({ DATA_DIR: dataDir }).storageRoots);
    expect(await resolveStorageUri(tdb.db, storageUriOf(path, []))).toBe(path);
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
      await expect(loadFrame(tdb.db, uri)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/traversal/) });
      await expect(readDisplayFrame(tdb.db, uri)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    // A real DICOM file outside the root, reached by a link inside it.
    const outside = join(work, 'outside');
    await mkdir(outside, { recursive: true });
    await copyFile(await resolveStorageUri(tdb.db, (await uris())[0]), join(outside, 'x.dcm'));
    await symlink(join(outside, 'x.dcm'), join(work, 'moved', 'link.dcm'));
    await symlink(outside, join(work, 'moved', 'linked-folder'));
    for (const uri of ['root://mri/link.dcm', 'root://mri/linked-folder/x.dcm']) {
      const refusal = loadFrame(tdb.db, uri);
      await expect(refusal).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/symbolic link/) });
      await expect(refusal).rejects.toThrow(/^(?!.*sg-storage)/);
    }
    await expect(loadFrame(tdb.db, 'root://nowhere/cohort/x.dcm')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/data root "nowhere" .* not configured: list its folder in DATA_ROOTS as nowhere=<folder>/),
    });
    await expect(loadFrame(tdb.db, 'root://registered-0123456789/x.dcm')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/data root "registered-0123456789" .* not registered in this database/),
    });
    await expect(loadFrame(tdb.db, 's3://bucket/x.dcm')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  }, 60_000);

  it('spinegraph db migrate relocates old absolute rows (a registered root for those under none), counts only, idempotent', async () => {
    // Back to the old absolute form (the moved folder), one of them in a folder under no root.
    const moved = join(work, 'moved');
    await tdb.db.sql.query(`UPDATE "Instance" SET "storageUri" = replace("storageUri", 'root://mri/', $1)`, [
      `${pathToFileURL(moved).href}/`,
    ]);
    await tdb.db.sql.query(
      `UPDATE "Instance" SET "storageUri" = 'file:///other/DOE_JOHN_19440229/x.dcm' WHERE id = (SELECT id FROM "Instance" ORDER BY id LIMIT 1)`,
    );
    const total = (await uris()).length;
    const rootsBefore = await registeredRoots();
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATABASE_URL: tdb.url, DATA_ROOTS: `mri=${moved}` },
        timeout: 120_000,
      });
    const migrated = await run('db', 'migrate');
    expect(migrated.stdout).toMatch(/^PostgreSQL is up to date \(\d+ migration\(s\)\)\n/);
    expect(migrated.stdout.split('\n')[1]).toBe(
      `instance locations: ${total} absolute made relative to a data root (${total - 1} under configured roots, 1 under registered roots; 1 root(s) registered)`,
    );
    expect(migrated.stdout + migrated.stderr).not.toMatch(/DOE_JOHN|sg-storage|\/other/);
    const after = await uris();
    expect(after.filter((u) => u.startsWith('root://mri/cohort/'))).toHaveLength(total - 1);
    const [added] = (await registeredRoots()).filter((r) => !rootsBefore.some((b) => b.name === r.name));
    expect(added.path).toBe('/other/DOE_JOHN_19440229');
    expect(after.filter((u) => !u.startsWith('root://mri/'))).toEqual([`root://${added.name}/x.dcm`]);
    // Idempotent: a second run (here through storage relocate) finds nothing absolute.
    expect((await run('storage', 'relocate')).stdout).toBe('instance locations: none absolute (all relative to a data root)\n');
    // The operator's list: names and counts; folders only when asked.
    const listed = (await run('storage', 'roots')).stdout;
    expect(listed).toContain(`${added.name}\t1 instance(s)\n`);
    expect(listed).not.toMatch(/DOE_JOHN|\/other/);
    expect((await run('storage', 'roots', '--paths')).stdout).toContain(`${added.name}\t1 instance(s)\t/other/DOE_JOHN_19440229\n`);
  }, 240_000);

  it('spinegraph import of a folder under no configured root registers it as a root: no absolute path stored or answered', async () => {
    const moved = join(work, 'moved');
    const cli = (folder: string, project: string) =>
      promisify(execFile)(process.execPath, [BIN, 'import', folder, '--project', project, '--json'], {
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
    const inside = await cli(join(moved, 'cohort'), 'cli');
    expect(inside.stderr).not.toMatch(/no configured data root/);
    expect(JSON.parse(inside.stdout)).toMatchObject({ instances: { added: data.fileCount }, failures: [] });
    const stored = await projectUris('cli');
    expect(stored).toHaveLength(data.fileCount);
    expect(stored.every((u) => u.startsWith('root://mri/cohort/'))).toBe(true);

    // A copy of the cohort in a folder named after a patient, outside DATA_ROOTS.
    const patientFolder = join(work, 'exports', 'DOE_JOHN_19440229');
    await mkdir(join(work, 'exports'), { recursive: true });
    await promisify(execFile)('cp', ['-r', join(moved, 'cohort'), patientFolder]);
    const outside = await cli(patientFolder, 'cli-outside');
    expect(outside.stderr).toMatch(
      /^note: this folder is under no configured data root .* registered in the database under a generated name/m,
    );
    expect(outside.stdout).not.toMatch(/DOE_JOHN|sg-storage/);
    expect(JSON.parse(outside.stdout)).toMatchObject({ instances: { added: data.fileCount }, failures: [] });
    const realPatientFolder = await realpath(patientFolder);
    const root = (await registeredRoots()).find((r) => r.path === realPatientFolder);
    expect(root?.name).toMatch(/^registered-[0-9a-f]{10}$/);
    const outsideUris = await projectUris('cli-outside');
    expect(outsideUris).toHaveLength(data.fileCount);
    for (const u of outsideUris) expect(u).toMatch(new RegExp(`^root://${root?.name}/train_images/\\d+/\\d+/\\d+\\.dcm$`));
    // Read back by a process whose configuration knows nothing of it (the API, a worker).
    useStorageRoots(testConfig({ DATA_ROOTS: `mri=${moved}` }).storageRoots);
    const instance = await tdb.db.prisma.instance.findFirstOrThrow({ where: { storageUri: outsideUris[0] }, include: { series: true } });
    const res = await fetch(`${base}/studies/${instance.series.studyId}/instances/${instance.id}.png?keypoints=0`);
    expect(res.status).toBe(200);
    const [input] = await loadStudyInputs(tdb.db, [instance.series.studyId]);
    expect((await input.stacks[0].slices[0].load()).pixels.length).toBeGreaterThan(0);

    // Its folder moves: storage move-root points the name there, and a process started afterwards reads from there.
    const movedPatientFolder = join(work, 'archive', 'moved-export');
    await mkdir(join(work, 'archive'), { recursive: true });
    await rename(patientFolder, movedPatientFolder);
    const move = await promisify(execFile)(process.execPath, [BIN, 'storage', 'move-root', root?.name ?? '', movedPatientFolder], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATABASE_URL: tdb.url },
      timeout: 120_000,
    });
    expect(move.stdout).toBe(`${root?.name} moved; restart the API and workers to read from there\n`);
    expect((await registeredRoots()).find((r) => r.name === root?.name)?.path).toBe(await realpath(movedPatientFolder));
    const restarted = await openDatabase({ kind: 'postgres', url: tdb.url });
    try {
      expect((await loadFrame(restarted, outsideUris[0])).pixels.length).toBeGreaterThan(0);
    } finally {
      await restarted.close();
    }
  }, 240_000);

  it('relocates a project spread over the whole file system by a root per study, per folder where a study is spread too', async () => {
    const fresh = await tdb.db.prisma.project.findFirstOrThrow({ where: { name: 'storage-fresh' } });
    const [a, bc] = await tdb.db.prisma.study.findMany({ where: { projectId: fresh.id }, select: { id: true }, orderBy: { id: 'asc' } });
    const studyRows = `FROM "Series" se WHERE se.id = i."seriesId" AND se."studyId" = $1::uuid`;
    await tdb.db.sql.query(`UPDATE "Instance" i SET "storageUri" = 'file:///scan-a/' || i.id || '.dcm' ${studyRows}`, [a.id]);
    await tdb.db.sql.query(
      `UPDATE "Instance" i SET "storageUri" = 'file:///scan-' || CASE WHEN i.id::text < '8' THEN 'b' ELSE 'c' END || '/' || i.id || '.dcm' ${studyRows}`,
      [bc.id],
    );
    const spread = (await projectUris('storage-fresh')).length;
    const before = new Set((await registeredRoots()).map((r) => r.name));
    expect(await relocateStorageUris(tdb.db)).toEqual({
      absolute: spread,
      underConfiguredRoots: 0,
      underRegisteredRoots: spread,
      rootsRegistered: 3,
    });
    const added = (await registeredRoots()).filter((r) => !before.has(r.name));
    expect(added.map((r) => r.path).sort()).toEqual(['/scan-a', '/scan-b', '/scan-c']);
    const names = added.map((r) => r.name).join('|');
    for (const u of await projectUris('storage-fresh')) expect(u).toMatch(new RegExp(`^root://(${names})/[0-9a-f-]{36}\\.dcm$`));
  }, 120_000);
});
