// Search and pull against a real Orthanc loaded with synthetic studies: QIDO search with patient-free criteria,
// WADO-RS pulls (interrupted and resumed, repeated, transcoded to JPEG-LS), a project the source refuses, a bad
// credential and an unreachable source. Skips with a printed reason where Orthanc is not installed.
import { readdir, rm, mkdtemp, readFile } from 'node:fs/promises';

/** Every regular file under `dir`, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { parseDicomwebSources, type DicomwebSource } from '../../src/config/dicomweb-sources.js';
import { isAppError } from '../../src/domain/errors.js';
import { DicomwebClient } from '../../src/dicomweb/client.js';
import { searchStudies } from '../../src/dicomweb/qido.js';
import { decodeFrame, readDicomFile } from '../../src/dicom/index.js';
import { pullRoot, pullStudies, type PullResult } from '../../src/services/dicomweb/pull-studies.js';
import { sourceForProject } from '../../src/services/dicomweb/sources.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { startOrthanc, pacsUnavailableReason, type OrthancServer } from '../support/orthanc.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { freePort } from '../support/private-redis.js';
import { testConfig } from '../support/test-config.js';
import { resolveStorageUri, useStorageRoots } from '../../src/services/storage/storage-uri.js';

const SECRET = 'dicomweb-pull-test-patient-key';
const skipReason = pacsUnavailableReason();

describe.skipIf(skipReason !== null)('DICOMweb search and pull against Orthanc', () => {
  let orthanc: OrthancServer;
  let tdb: TestDatabase;
  let dir: string;
  let config: Config;
  let projectId: string;
  let studyUids: string[];
  let synthFiles: string[];

  const sources = (extra: object[] = []): string =>
    JSON.stringify([
      {
        name: 'orthanc',
        baseUrl: orthanc.dicomwebUrl,
        auth: { type: 'basic', username: orthanc.username, password: orthanc.password },
        projects: ['pull-test', 'jpegls-test'],
        concurrency: 2,
      },
      {
        name: 'orthanc-jpegls',
        baseUrl: orthanc.dicomwebUrl,
        auth: { type: 'basic', username: orthanc.username, password: orthanc.password },
        projects: ['jpegls-test'],
        transferSyntax: '1.2.840.10008.1.2.4.80',
      },
      ...extra,
    ]);
  const source = (name: string): DicomwebSource => config.dicomweb.sources.find((s) => s.name === name)!;
  const pull = (s: DicomwebSource, uids: string[], project: string, signal?: AbortSignal, onProgress?: PullOptionsProgress) =>
    pullStudies(tdb.db, {
      source: s,
      projectId: project,
      studyInstanceUids: uids,
      secret: SECRET,
      cacheDir: join(dir, 'cache'),
      signal,
      onProgress,
    });
  type PullOptionsProgress = (stage: string, fraction: number, message: string) => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-dicomweb-'));
    const data = await generateDataset({ outDir: join(dir, 'synth'), studies: 3, seed: 21, size: 64 });
    synthFiles = (await listFiles(join(dir, 'synth'))).filter((p) => p.endsWith('.dcm'));
    expect(synthFiles.length).toBe(data.fileCount);
    orthanc = await startOrthanc();
    await orthanc.upload(await Promise.all(synthFiles.map((p) => readFile(p))));
    tdb = await createTestDatabase();
    projectId = (await ensureProject(tdb.db, 'pull-test')).id;
    await ensureProject(tdb.db, 'other-project');
    config = testConfig({
      DICOMWEB_SOURCES: sources([
        { name: 'unreachable', baseUrl: `http://127.0.0.1:${await freePort()}/dicom-web`, projects: ['*'], requestTimeoutMs: 2000 },
        {
          name: 'bad-credential',
          baseUrl: orthanc.dicomwebUrl,
          auth: { type: 'basic', username: orthanc.username, password: 'wrong' },
          projects: ['*'],
        },
      ]),
    });
    const hits = await searchStudies(new DicomwebClient(source('orthanc')), { modality: 'MR' });
    studyUids = hits.map((h) => h.studyInstanceUid).sort();
  }, 240_000);

  afterAll(async () => {
    useStorageRoots([]);
    await orthanc?.stop();
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('searches with patient-free criteria and answers study-level facts without patient attributes', async () => {
    const client = new DicomwebClient(source('orthanc'));
    const all = await searchStudies(client, {});
    expect(all).toHaveLength(3);
    expect(studyUids).toHaveLength(3);
    for (const hit of all) {
      expect(hit.modalities).toEqual(['MR']);
      expect(hit.seriesCount).toBe(3);
      expect(hit.instanceCount).toBeGreaterThan(10);
      expect(hit.studyDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Nothing patient-identifying comes back, though Orthanc's own answer carries it.
    expect(JSON.stringify(all)).not.toMatch(/SYNTH\^|SYNTH-|00100010|00100020|00080050/);
    const dated = [...all].sort((a, b) => a.studyDate!.localeCompare(b.studyDate!));
    const one = await searchStudies(client, { studyDateFrom: dated[0].studyDate, studyDateTo: dated[0].studyDate });
    expect(one.map((h) => h.studyInstanceUid)).toEqual([dated[0].studyInstanceUid]);
    expect(await searchStudies(client, { modality: 'CT' })).toEqual([]);
    expect(await searchStudies(client, { limit: 2 })).toHaveLength(2);
    await expect(searchStudies(client, { studyDescriptionContains: 'a*b' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(searchStudies(client, { studyDateFrom: '2024-13' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('names only configured sources, and refuses a project the source does not list', () => {
    expect(sourceForProject(config, 'orthanc', { id: projectId, name: 'pull-test' }).name).toBe('orthanc');
    expect(() => sourceForProject(config, 'orthanc', { id: 'x', name: 'other-project' })).toThrow(/may not use DICOMweb source "orthanc"/);
    try {
      sourceForProject(config, 'http://127.0.0.1:1/evil', { id: projectId, name: 'pull-test' });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('NOT_FOUND');
    }
    // Credentials never print.
    expect(JSON.stringify(config.dicomweb.sources)).not.toContain(orthanc.password);
    expect(JSON.stringify(parseDicomwebSources(sources()))).not.toContain(orthanc.password);
  });

  it('resumes an interrupted pull, fetching only what is missing, then imports every instance', async () => {
    const controller = new AbortController();
    let fetchedBeforeAbort = 0;
    const first = pull(source('orthanc'), [studyUids[0]], projectId, controller.signal, (stage, _f, message) => {
      const m = /\((\d+) fetched now\)/.exec(message);
      if (stage === 'fetch' && m && Number(m[1]) >= 10 && !controller.signal.aborted) {
        fetchedBeforeAbort = Number(m[1]);
        controller.abort(new Error('interrupted by the test'));
      }
    });
    await expect(first).rejects.toThrow();
    expect(fetchedBeforeAbort).toBeGreaterThanOrEqual(10);
    // Nothing half-written: no instance rows yet, no temporary files, only whole files in the import folder.
    expect(await tdb.db.prisma.instance.count()).toBe(0);
    expect(await readdir(join(dir, 'cache', '.partial'))).toEqual([]);
    const onDisk = (await listFiles(pullRoot(join(dir, 'cache'), projectId, 'orthanc'))).length;
    expect(onDisk).toBeGreaterThanOrEqual(10);

    const resumed: PullResult = await pull(source('orthanc'), [studyUids[0]], projectId);
    expect(resumed.failures).toEqual([]);
    expect(resumed.pull.instances.alreadyPresent).toBe(onDisk);
    expect(resumed.pull.instances.fetched).toBe(resumed.pull.instances.listed - onDisk);
    expect(resumed.instances.added).toBe(resumed.pull.instances.listed);
    expect(resumed.studies.added).toBe(1);
    expect(resumed.series.added).toBe(3);
    // The stratifiers come through the pull as through a folder import (the same import code): reduced, not raw.
    const [strata] = await tdb.db.sql.query<Record<string, unknown>>(
      `SELECT sex, "ageBand", manufacturer, "fieldStrength", "sliceThickness" FROM "Study" WHERE "projectId" = $1::uuid`,
      [projectId],
    );
    expect(strata).toEqual({
      sex: expect.stringMatching(/^[FM]$/),
      ageBand: expect.stringMatching(/^(\d\d-\d\d|90\+)$/),
      manufacturer: expect.stringMatching(/^(SIEMENS|GE|PHILIPS|CANON|HITACHI)$/),
      fieldStrength: expect.any(Number),
      sliceThickness: expect.any(Number),
    });
    const stored = await tdb.db.prisma.instance.findMany({ select: { sopInstanceUid: true, storageUri: true } });
    expect(stored).toHaveLength(resumed.pull.instances.listed);
    // Pseudonymised like a folder import: no original UID is stored.
    const originals = await orthanc.rest<string[]>('/instances');
    expect(originals.length).toBeGreaterThan(0);
    const dump = JSON.stringify(await tdb.db.prisma.study.findMany({ include: { series: { include: { instances: true } } } }));
    expect(dump).not.toContain(studyUids[0]);
    expect(dump).not.toMatch(/SYNTH/);
  }, 120_000);

  it('adds and fetches nothing when the same studies are pulled again; adds only the new study when one is added', async () => {
    const again = await pull(source('orthanc'), [studyUids[0]], projectId);
    expect(again.pull.instances.fetched).toBe(0);
    expect(again.studies.added + again.series.added + again.instances.added).toBe(0);
    const both = await pull(source('orthanc'), [studyUids[0], studyUids[1]], projectId);
    expect(both.studies).toMatchObject({ added: 1, total: 2 });
    expect(both.pull.instances.fetched).toBe(both.pull.instances.listed - again.pull.instances.listed);
  }, 120_000);

  it('asks the archive to transcode to JPEG-LS lossless, and stores what it sent, pixel-identical', async () => {
    const jpeglsProject = (await ensureProject(tdb.db, 'jpegls-test')).id;
    // The pull cache as the configuration registers it: the data root `dicomweb` (docs/storage.md).
    useStorageRoots([{ name: 'dicomweb', path: join(dir, 'cache') }]);
    const result = await pull(source('orthanc-jpegls'), [studyUids[2]], jpeglsProject);
    expect(result.failures).toEqual([]);
    expect(result.pull.transferSyntaxes).toEqual({ '1.2.840.10008.1.2.4.80': result.pull.instances.listed });
    const instance = await tdb.db.prisma.instance.findFirstOrThrow({
      where: { series: { study: { projectId: jpeglsProject } } },
      include: { series: true },
    });
    expect(instance.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.80');
    expect(instance.storageUri).toMatch(new RegExp(`^root://dicomweb/${jpeglsProject}/orthanc-jpegls/[^/]+/[^/]+/[^/]+\\.dcm$`));
    // Same pixels as the synthetic original (uncompressed) of this instance.
    const pulled = await readDicomFile(await resolveStorageUri(tdb.db, instance.storageUri));
    const originals = await Promise.all(synthFiles.map((p) => readDicomFile(p)));
    const original = originals.find((o) => o.instance.sopInstanceUid === pulled.instance.sopInstanceUid)!;
    expect(original.instance.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    const [a, b] = await Promise.all([decodeFrame(pulled.instance, 0), decodeFrame(original.instance, 0)]);
    expect(a.pixels.length).toBe(b.pixels.length);
    expect(Buffer.from(a.pixels.buffer).equals(Buffer.from(b.pixels.buffer))).toBe(true);
  }, 120_000);

  it('fails clearly on a bad credential and on an unreachable source, writing nothing', async () => {
    const other = (await ensureProject(tdb.db, 'failing-pulls')).id;
    await expect(pull(source('bad-credential'), [studyUids[0]], other)).rejects.toMatchObject({
      code: 'SOURCE_AUTH_FAILED',
      message: expect.stringMatching(/refused spinegraph's credentials \(HTTP 401\)/),
    });
    await expect(pull(source('unreachable'), [studyUids[0]], other)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/"unreachable" is unreachable \(connection refused\)/),
    });
    expect(await tdb.db.prisma.study.count({ where: { projectId: other } })).toBe(0);
    await expect(readdir(join(dir, 'cache', other))).rejects.toThrow(/ENOENT/);
  });
});
