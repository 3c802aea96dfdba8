// PHI: DICOM files carrying realistic identifying attributes go in through the real import path (the importStudies
// mutation, a `spinegraph worker` process), and then none of those values may be found anywhere the system keeps
// or says anything: every table, every Redis key of the queues, the API server's and the worker's logs, and what
// the API answers about the imported studies and jobs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientKey } from '../../src/services/import/pseudonym.js';
import { generateDataset } from '../../src/synth/index.js';
import {
  capturingLogger,
  queryData,
  startCapturedWorker,
  startSecurityStack,
  type CapturedLogger,
  type CapturedProcess,
  type SecurityStack,
} from '../support/security-fixture.js';
import { dicomFilesUnder, PLAIN_IDENTITY, readIdentifyingValues, writeIdentifiedSeries } from './phi-dicom.js';
import { databaseHaystacks, findIn, needlesFor, redisHaystacks, type Haystack, type Needle } from './phi-scan.js';

let stack: SecurityStack;
let serverLog: CapturedLogger;
let worker: CapturedProcess | undefined;
let needles: Needle[];
let rsnaStudyId: string;
const apiAnswers: Haystack[] = [];
const jobResults: Record<string, { status: string; result: { files: number; failures: { code: string; reason: string }[] } }> = {};

const IMPORT = 'mutation($p: String!, $pid: ID) { importStudies(input: { path: $p, projectId: $pid }) { id } }';
const JOB = 'query($id: ID!) { job(id: $id) { id status stage message error { code message } result params } }';

beforeAll(async () => {
  serverLog = capturingLogger('trace');
  stack = await startSecurityStack({ logger: serverLog.logger });
  const rsna = join(stack.dataRoot, 'rsna');
  const plain = join(stack.dataRoot, 'plain');
  const summary = await generateDataset({ outDir: rsna, studies: 1, seed: 4242, size: 64, workers: 1 });
  rsnaStudyId = String(summary.studyIds[0]);
  const files = await writeIdentifiedSeries(join(plain, 'export-2023'));
  // A damaged copy (header with every identifying attribute, pixel data cut off): its failure is recorded too.
  await writeFile(join(plain, 'export-2023', 'IM9999.dcm'), (await readFile(files[0])).subarray(0, 900));

  // The generator writes the RSNA study_id, the research id that names the study folder and becomes the study's
  // externalId by design, as StudyID too: that one value is not PHI here.
  const fromRsna = (await readIdentifyingValues(rsna)).filter((v) => !(v.attribute === 'StudyID' && v.value === rsnaStudyId));
  needles = needlesFor([...fromRsna, ...(await readIdentifyingValues(plain))]);

  worker = await startCapturedWorker(stack, { queues: 'import' });
  const researcher = stack.users.researcherA.headers;
  for (const path of ['rsna', 'plain']) {
    const { importStudies } = await queryData<{ importStudies: { id: string } }>(
      stack.url,
      IMPORT,
      { p: path, pid: stack.projects.a.id },
      researcher,
    );
    jobResults[path] = await waitForJob(importStudies.id);
  }
  apiAnswers.push(...(await readEverythingThroughTheApi()));
  // Stop the worker so everything it was going to log has been written.
  await worker.stop();
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

async function waitForJob(id: string): Promise<(typeof jobResults)[string]> {
  const started = Date.now();
  for (;;) {
    const res = await queryData<{ job: (typeof jobResults)[string] }>(stack.url, JOB, { id }, stack.users.researcherA.headers);
    apiAnswers.push({ source: `API job ${id}`, text: JSON.stringify(res) });
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(res.job.status)) return res.job;
    if (Date.now() - started > 120_000)
      throw new Error(`import job ${id} did not finish: ${JSON.stringify(res.job)}\n${worker?.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What any member of the project can read about the imported studies and the jobs. */
async function readEverythingThroughTheApi(): Promise<Haystack[]> {
  const studies = await queryData(
    stack.url,
    `{ studies(first: 5) { edges { node { id externalId createdAt project { id name } labels { condition level severity source }
        series { id externalId type description orientation instanceCount stackCount pixelSpacing sliceThickness spacingBetweenSlices
          instances { id instanceNumber stackIndex sliceIndex rows columns slicePosition } } } } } }`,
    {},
    stack.users.admin.headers,
  );
  const jobs = await queryData(
    stack.url,
    '{ jobs(first: 50, includeChildren: true) { edges { node { id kind status stage message error { code message } result params } } } }',
    {},
    stack.users.admin.headers,
  );
  const exported = await (await fetch(`${stack.baseUrl}/exports/submission.csv`, { headers: stack.users.admin.headers })).text();
  return [
    { source: 'API studies', text: JSON.stringify(studies) },
    { source: 'API jobs', text: JSON.stringify(jobs) },
    { source: 'API submission export', text: exported },
  ];
}

describe('the import went through (control)', () => {
  it('imported both folders with the real worker, recording the damaged file as a failure', async () => {
    expect(jobResults.rsna.status).toBe('COMPLETED');
    expect(jobResults.plain.status).toBe('COMPLETED');
    expect(jobResults.plain.result.failures).toHaveLength(1);
    const studies = await stack.db.prisma.study.findMany({
      where: { projectId: stack.projects.a.id },
      include: { series: { include: { _count: { select: { instances: true } } } } },
    });
    expect(studies).toHaveLength(2);
    const rsnaFiles = (await dicomFilesUnder(join(stack.dataRoot, 'rsna'))).length;
    const instances = studies.flatMap((s) => s.series).reduce((n, se) => n + se._count.instances, 0);
    expect(instances).toBe(rsnaFiles + 3);
  });

  it('replaced PatientID by its keyed hash (so it was read, then not kept)', async () => {
    const keys = (await stack.db.prisma.study.findMany({ select: { patientKey: true } })).map((s) => s.patientKey).sort();
    const secret = stack.config.patientKeySecret;
    expect(keys).toEqual([patientKey(secret, PLAIN_IDENTITY.patientId), patientKey(secret, `SYNTH-${rsnaStudyId}`)].sort());
  });

  it('kept the allowed non-identifying attributes only reduced: sex, the 5-year age band (not the age), no vendor text', async () => {
    const rows = await stack.db.sql.query<{ sex: string | null; ageBand: string | null; manufacturer: string | null; j: string }>(
      `SELECT sex, "ageBand", manufacturer, row_to_json(s)::text AS j FROM "Study" s WHERE "patientKey" = $1`,
      [patientKey(stack.config.patientKeySecret, PLAIN_IDENTITY.patientId)],
    );
    // The hospital-style file says PatientSex F, PatientAge 062Y and no Manufacturer.
    expect(rows.map(({ sex, ageBand, manufacturer }) => ({ sex, ageBand, manufacturer }))).toEqual([
      { sex: 'F', ageBand: '60-64', manufacturer: null },
    ]);
    expect(rows[0].j).not.toContain('062Y');
  });

  it('hunts for values that really are in the files, and would find them', async () => {
    const attributes = new Set(needles.map((n) => n.attribute));
    for (const a of [
      'PatientName',
      'PatientName part',
      'PatientID',
      'PatientBirthDate',
      'InstitutionName',
      'ReferringPhysicianName',
      'AccessionNumber',
      'StudyInstanceUID',
      'SeriesInstanceUID',
      'SOPInstanceUID',
      'PatientAddress',
      'OtherPatientIDs',
    ]) {
      expect(attributes, a).toContain(a);
    }
    const files = [...(await dicomFilesUnder(join(stack.dataRoot, 'rsna'))), ...(await dicomFilesUnder(join(stack.dataRoot, 'plain')))];
    const raw: Haystack[] = await Promise.all(files.map(async (f) => ({ source: f, text: (await readFile(f)).toString('latin1') })));
    const unmatched = needles.filter(
      (n) => !raw.some((h) => n.pattern.test(h.text)) && !n.attribute.endsWith('part') && !/^\d{4}-\d{2}-\d{2}$/.test(n.value),
    );
    expect(unmatched.map((n) => `${n.attribute}=${n.value}`)).toEqual([]);
    // A lower-cased name in a JSON row, or a birth date written as ISO, would be caught.
    const planted = [{ source: 'planted', text: `{"note":"marianne kowalczyk, born 1961-04-23"}` }];
    expect(
      findIn(planted, needles)
        .map((f) => f.attribute)
        .sort(),
    ).toEqual(['PatientBirthDate', 'PatientName part', 'PatientName part']);
  });

  it('captured the logs of both processes', () => {
    expect(serverLog.output()).toContain('API listening');
    expect(worker?.output()).toContain('worker serving queues');
  });
});

describe('no identifying value is kept or told anywhere', () => {
  const expectNone = (haystacks: readonly Haystack[]): void => {
    const findings = findIn(haystacks, needles);
    expect(findings.map((f) => `${f.source}: ${f.attribute} "${f.value}" in …${f.excerpt}…`)).toEqual([]);
  };

  it('in any table of the database', async () => {
    const tables = await databaseHaystacks(stack.db);
    expect(tables.map((t) => t.source.split(' ')[1])).toEqual(
      expect.arrayContaining(['Study', 'Series', 'Instance', 'Job', 'AuditEvent', 'Label']),
    );
    expectNone(tables);
  });

  it('in Redis (the queues and their job records)', async () => {
    const keys = await redisHaystacks(stack.config.redis.url, stack.prefix);
    expect(keys.length).toBeGreaterThan(0);
    expectNone(keys);
  });

  it("in the API server's and the worker's logs", () => {
    expectNone([
      { source: 'API server log', text: serverLog.output() },
      { source: 'worker output', text: worker?.output() ?? '' },
    ]);
  });

  it('in what the API answers about the studies, series, instances, jobs and the export', () => {
    expect(apiAnswers.length).toBeGreaterThan(3);
    expectNone(apiAnswers);
  });
});
