// DICOMweb through the API and a real worker process, against a real Orthanc: sources and search over GraphQL
// (no URL or credential in any answer), a pull as an IMPORT job with live progress, a project the source refuses,
// an unreachable source (job FAILED with its reason), and the SR round trip: GET sr.dcm, dsrdump's tree and
// dciodvfy without errors, STOW-RS to Orthanc, QIDO finds it, WADO returns it; with linkage, the SR lands in the
// original study; without, it names spinegraph's pseudonyms and says so.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { serve, type RunningServer } from '../../src/server.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { gql, gqlData } from '../support/graphql-client.js';
import { startOrthanc, pacsUnavailableReason, type OrthancServer } from '../support/orthanc.js';
import { freePort } from '../support/private-redis.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const run = promisify(execFile);
const skipReason = pacsUnavailableReason();
const LINKAGE_KEY = 'dicomweb-api-test-linkage-key-0123456789';
const PATIENT_KEY = 'dicomweb-api-test-patient-key';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

interface JobView {
  id: string;
  status: string;
  progress: number;
  error: { code: string; message: string } | null;
  result: { pull?: { instances: { listed: number; fetched: number } }; instances?: { added: number } } | null;
  params: unknown;
}

describe.skipIf(skipReason !== null)('DICOMweb through the API, a worker and Orthanc', () => {
  let orthanc: OrthancServer;
  let tdb: TestDatabase;
  let server: RunningServer;
  let worker: WorkerProcess;
  let dir: string;
  let config: Config;
  const prefix = uniquePrefix();
  const projects: Record<string, string> = {};
  let studyUids: string[];
  let url: string;

  const q = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => gqlData<T>(url, query, variables);
  const waitForJob = async (id: string): Promise<JobView> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { job } = await q<{ job: JobView }>(
        'query($id: ID!) { job(id: $id) { id status progress error { code message } result params } }',
        { id },
      );
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}: ${worker.describe()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const pullMutation = (source: string, projectId: string, uids: string[]) =>
    gql<{ importStudies: JobView }>(
      url,
      'mutation($input: ImportStudiesInput!) { importStudies(input: $input) { id status progress error { code message } result params } }',
      { input: { source, projectId, studyInstanceUids: uids } },
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-dicomweb-api-'));
    await generateDataset({ outDir: join(dir, 'synth'), studies: 2, seed: 33, size: 64 });
    orthanc = await startOrthanc();
    await orthanc.upload(
      await Promise.all((await listFiles(join(dir, 'synth'))).filter((p) => p.endsWith('.dcm')).map((p) => readFile(p))),
    );
    tdb = await createTestDatabase();
    for (const name of ['pacs-project', 'linked-project', 'closed-project']) projects[name] = (await ensureProject(tdb.db, name)).id;
    const auth = { type: 'basic', username: orthanc.username, password: orthanc.password };
    const env = {
      DICOMWEB_SOURCES: JSON.stringify([
        { name: 'orthanc', baseUrl: orthanc.dicomwebUrl, auth, projects: ['pacs-project'] },
        { name: 'orthanc-linked', baseUrl: orthanc.dicomwebUrl, auth, projects: ['linked-project'], linkage: true },
        { name: 'gone', baseUrl: `http://127.0.0.1:${await freePort()}/dicom-web`, projects: ['*'], requestTimeoutMs: 1000 },
      ]),
      DICOMWEB_LINKAGE_KEY: LINKAGE_KEY,
      DICOMWEB_CACHE_DIR: join(dir, 'cache'),
      PATIENT_KEY_SECRET: PATIENT_KEY,
    };
    config = testConfig({
      ...env,
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      MUTATION_RATE_LIMIT_PER_MINUTE: '100000',
    });
    server = await serve({ config, logger: silentLogger, db: tdb.db, port: 0 });
    url = server.api.url;
    worker = await startWorkerProcess({ databaseUrl: tdb.url, redisUrl: TEST_REDIS_URL, prefix, queues: 'import', env });
    const { dicomwebSearch } = await q<{ dicomwebSearch: { studyInstanceUid: string }[] }>(
      'query($p: ID!) { dicomwebSearch(source: "orthanc", projectId: $p, query: { modality: "MR" }) { studyInstanceUid } }',
      { p: projects['pacs-project'] },
    );
    studyUids = dicomwebSearch.map((s) => s.studyInstanceUid).sort();
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await orthanc?.stop();
    await tdb?.drop();
    await deleteKeysWithPrefix(prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists sources and searches by name, never showing a URL or a credential', async () => {
    const { dicomwebSources } = await q<{ dicomwebSources: { name: string; linkage: boolean }[] }>(
      'query($p: ID!) { dicomwebSources(projectId: $p) { name linkage transferSyntax } }',
      { p: projects['pacs-project'] },
    );
    expect(dicomwebSources.map((s) => s.name)).toEqual(['orthanc', 'gone']);
    const res = await gql(
      url,
      'query($p: ID!) { dicomwebSearch(source: "orthanc", projectId: $p, query: { studyDescriptionContains: "umbar", limit: 10 }) { studyInstanceUid studyDate modalities description seriesCount instanceCount } }',
      { p: projects['pacs-project'] },
    );
    expect(res.errors).toBeUndefined();
    expect(studyUids).toHaveLength(2);
    const text = JSON.stringify(res) + JSON.stringify(dicomwebSources);
    expect(text).not.toContain(orthanc.password);
    expect(text).not.toContain(String(orthanc.port));
    const refused = await gql(url, 'query($p: ID!) { dicomwebSearch(source: "orthanc", projectId: $p) { studyInstanceUid } }', {
      p: projects['closed-project'],
    });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const unknown = await gql(url, 'query($p: ID!) { dicomwebSearch(source: "http://127.0.0.1/x", projectId: $p) { studyInstanceUid } }', {
      p: projects['pacs-project'],
    });
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('pulls studies as an IMPORT job with progress, sealing the original UIDs in its parameters', async () => {
    const res = await pullMutation('orthanc', projects['pacs-project'], studyUids);
    expect(res.errors).toBeUndefined();
    const job = await waitForJob(res.data!.importStudies.id);
    expect(job.status).toBe('COMPLETED');
    expect(job.progress).toBe(1);
    expect(job.result!.pull!.instances.fetched).toBe(job.result!.pull!.instances.listed);
    expect(job.result!.instances!.added).toBe(job.result!.pull!.instances.listed);
    // The original study UIDs are nowhere in clear: not in the job's parameters, not in its result.
    for (const uid of studyUids) expect(JSON.stringify(job)).not.toContain(uid);
    expect(await tdb.db.prisma.study.count({ where: { projectId: projects['pacs-project'] } })).toBe(2);
  }, 150_000);

  it('refuses a pull into a project the source does not list, and fails a pull from an unreachable source with its reason', async () => {
    const refused = await pullMutation('orthanc', projects['closed-project'], studyUids);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const res = await pullMutation('gone', projects['closed-project'], [studyUids[0]]);
    expect(res.errors).toBeUndefined();
    const job = await waitForJob(res.data!.importStudies.id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/"gone" is unreachable \(connection refused\)/),
    });
    expect(await tdb.db.prisma.study.count({ where: { projectId: projects['closed-project'] } })).toBe(0);
    await expect(readdir(join(dir, 'cache', projects['closed-project']))).rejects.toThrow(/ENOENT/);
  }, 150_000);

  /** Predictions and keypoints for a pulled study, as inference would write them (test data, not a mock). */
  async function addResults(projectId: string): Promise<{ studyId: string; modelSetId: string }> {
    const study = await tdb.db.prisma.study.findFirstOrThrow({
      where: { projectId },
      include: { series: { include: { instances: true } } },
    });
    const modelSet = await tdb.db.prisma.modelSet.upsert({
      where: { name: 'sr-test-set' },
      update: {},
      create: { name: 'sr-test-set', contentHash: 'f'.repeat(64) },
    });
    const levels = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'] as const;
    const conditions = [
      'SPINAL_CANAL_STENOSIS',
      'LEFT_NEURAL_FORAMINAL_NARROWING',
      'RIGHT_NEURAL_FORAMINAL_NARROWING',
      'LEFT_SUBARTICULAR_STENOSIS',
      'RIGHT_SUBARTICULAR_STENOSIS',
    ] as const;
    await tdb.db.prisma.prediction.createMany({
      data: conditions.flatMap((condition, c) =>
        levels.map((level, l) => {
          const severe = ((c + l) % 5) / 10;
          const moderate = 0.3;
          return {
            studyId: study.id,
            modelSetId: modelSet.id,
            condition,
            level,
            normalMild: 1 - severe - moderate,
            moderate,
            severe,
            severity: 'NORMAL_MILD' as const,
          };
        }),
      ),
      skipDuplicates: true,
    });
    const sag = study.series.find((s) => s.type === 'SAGITTAL_T2_STIR')!;
    const middle = [...sag.instances].sort((a, b) => a.sliceIndex - b.sliceIndex)[Math.floor(sag.instances.length / 2)];
    await tdb.db.prisma.keypoint.createMany({
      data: levels.map((level, i) => ({
        studyId: study.id,
        seriesId: sag.id,
        instanceId: middle.id,
        level,
        side: 'NONE' as const,
        role: 'keypoints-sagittal-t2',
        pixelX: 30 + i,
        pixelY: 10 + 9 * i,
        patientX: 0,
        patientY: 0,
        patientZ: 0,
        source: 'MODEL' as const,
        modelSetId: modelSet.id,
      })),
    });
    return { studyId: study.id, modelSetId: modelSet.id };
  }

  async function checkSr(bytes: Buffer, name: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const dump = (await run('/usr/bin/dsrdump', ['+Pc', '+Pl', '+Pu', '+Pt', path])).stdout;
    // dciodvfy prints warnings and errors on stderr and exits 0 either way: no line may start with "Error".
    const verify = await run('/usr/bin/dciodvfy', [path]).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(verify).toMatch(/ComprehensiveSR/);
    expect(verify.split('\n').filter((l) => /^\s*Error/.test(l))).toEqual([]);
    return dump;
  }

  it('exports the SR of a pulled study: the expected tree, no dciodvfy error, pseudonymous UIDs said so', async () => {
    const { studyId, modelSetId } = await addResults(projects['pacs-project']);
    const res = await fetch(`${url.replace(/\/graphql$/, '')}/exports/studies/${studyId}/sr.dcm?modelSetId=${modelSetId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-spinegraph-sr-uids')).toBe('pseudonymous');
    const dump = await checkSr(Buffer.from(await res.arrayBuffer()), 'pseudonymous-sr.dcm');
    expect(dump).toContain('<CONTAINER:(126000,DCM,"Imaging Measurement Report")=SEPARATE>');
    expect(dump).toContain('<contains CONTAINER:(126010,DCM,"Imaging Measurements")=SEPARATE>');
    expect(dump.match(/<contains CONTAINER:\(125007,DCM,"Measurement Group"\)=SEPARATE>/g)).toHaveLength(25);
    expect(dump).toContain('<contains CODE:(121071,DCM,"Finding")=(18347007,SCT,"Spinal stenosis of lumbar region")>');
    expect(dump).toContain('<has concept mod CODE:(272741003,SCT,"Laterality")=(7771000,SCT,"Left")>');
    expect(dump).toContain('<has concept mod TEXT:(111001,DCM,"Algorithm Name")="sr-test-set">');
    expect(dump).toMatch(/<contains NUM:\(P_SEVERE,99SPINEGRAPH,"Probability of severe"\)="0\.4" \(1,UCUM,"no units"\)>/);
    expect(dump.match(/<contains SCOORD:\(111030,DCM,"Image Region"\)=\(POINT,/g)).toHaveLength(5);
    expect(dump).toContain('pseudonyms assigned by spinegraph');
    const study = await tdb.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
    expect(dump).not.toMatch(new RegExp(studyUids.map((u) => u.replace(/\./g, '\\.')).join('|')));
    expect(study.studyUidHash).toBeTruthy();
    // Another project's viewer would get 404: the route is scoped like the other exports.
    const missing = await fetch(`${url.replace(/\/graphql$/, '')}/exports/studies/00000000-0000-4000-8000-000000000000/sr.dcm`);
    expect(missing.status).toBe(404);
  }, 60_000);

  it('stores a linked SR to Orthanc over STOW-RS: it lands in the original study, QIDO finds it and WADO returns it', async () => {
    const res = await pullMutation('orthanc-linked', projects['linked-project'], [studyUids[0]]);
    expect((await waitForJob(res.data!.importStudies.id)).status).toBe('COMPLETED');
    expect(await tdb.db.prisma.originalUidLink.count({ where: { projectId: projects['linked-project'] } })).toBeGreaterThan(3);
    const { studyId } = await addResults(projects['linked-project']);
    const stored = await gqlData<{ storeStudySr: { sopInstanceUid: string; studyInstanceUid: string; linked: boolean } }>(
      url,
      'mutation($input: StoreStudySrInput!) { storeStudySr(input: $input) { sopInstanceUid studyInstanceUid linked } }',
      { input: { studyId, source: 'orthanc-linked', modelSetId: (await tdb.db.prisma.modelSet.findFirstOrThrow()).id } },
    );
    expect(stored.storeStudySr).toMatchObject({ linked: true, studyInstanceUid: studyUids[0] });
    // QIDO: the original study now has an SR series holding this instance.
    const authorization = `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString('base64')}`;
    const qido = await fetch(`${orthanc.dicomwebUrl}/studies/${studyUids[0]}/instances?Modality=SR`, {
      headers: { authorization, accept: 'application/dicom+json' },
    });
    const found = (await qido.json()) as Record<string, { Value?: string[] }>[];
    expect(found.map((f) => f['00080018']?.Value?.[0])).toContain(stored.storeStudySr.sopInstanceUid);
    const seriesUid = found.find((f) => f['00080018']?.Value?.[0] === stored.storeStudySr.sopInstanceUid)!['0020000E']!.Value![0];
    // WADO: the SR comes back, and dsrdump reads the same tree, now naming the original images.
    const wado = await fetch(
      `${orthanc.dicomwebUrl}/studies/${studyUids[0]}/series/${seriesUid}/instances/${stored.storeStudySr.sopInstanceUid}`,
      {
        headers: { authorization, accept: 'multipart/related; type="application/dicom"' },
      },
    );
    expect(wado.status).toBe(200);
    const body = Buffer.from(await wado.arrayBuffer());
    const start = body.indexOf('DICM') - 128;
    const boundary = /boundary=([^;\s]+)/.exec(wado.headers.get('content-type') ?? '')![1].replace(/"/g, '');
    const end = body.indexOf(`\r\n--${boundary}`, start);
    const dump = await checkSr(body.subarray(start, end), 'retrieved-sr.dcm');
    expect(dump).toContain("the source archive's original UIDs");
    expect(dump.match(/<contains CONTAINER:\(125007,DCM,"Measurement Group"\)=SEPARATE>/g)).toHaveLength(25);
    const originals = await orthanc.rest<string[]>(`/instances`);
    expect(originals.length).toBeGreaterThan(0);
    const evidence = (await run('/usr/bin/dcmdump', ['+P', '0008,1155', join(dir, 'retrieved-sr.dcm')])).stdout;
    const pulledSop = /\[([0-9.]+)\]/.exec(evidence)![1];
    const lookup = await fetch(`${orthanc.dicomwebUrl}/studies/${studyUids[0]}/instances?SOPInstanceUID=${pulledSop}`, {
      headers: { authorization, accept: 'application/dicom+json' },
    });
    expect(((await lookup.json()) as unknown[]).length).toBe(1);
    // Audited; and nothing of the sealed table reaches GraphQL.
    const audit = await tdb.db.prisma.auditEvent.findMany({ where: { action: { in: ['export.sr', 'dicomweb.storeSr'] } } });
    expect(audit.map((a) => a.action).sort()).toEqual(['dicomweb.storeSr', 'export.sr']);
    const schema = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(schema).not.toMatch(/OriginalUid|sealed/i);
  }, 150_000);
});
