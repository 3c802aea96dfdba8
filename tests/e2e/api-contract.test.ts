// The GraphQL contract end to end: real HTTP and graphql-ws clients, real PostgreSQL and Redis, a real worker,
// real DICOM files and real ONNX models.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { CONDITION_INFO, SEVERITIES, type Condition, type Severity } from '../../src/domain/vocabulary.js';
import { openModelSet } from '../../src/services/model-registry.service.js';
import { runInference } from '../../src/services/inference/run-inference.js';
import { serve, type RunningServer } from '../../src/server.js';
import { runWorker, type RunningWorker } from '../../src/worker.js';
import { createCohortFixture, type CohortFixture } from '../support/cohort-fixture.js';
import { gql, gqlData } from '../support/graphql-client.js';
import { rsnaMetric, type ScoredRow } from '../support/rsna-metric.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/test-redis.js';

let tdb: TestDatabase;
let cohort: CohortFixture;
let server: RunningServer;
let worker: RunningWorker;
let ws: Client;
let config: Config;
const prefix = uniquePrefix();

beforeAll(async () => {
  tdb = await createTestDatabase();
  cohort = await createCohortFixture(tdb.db, { studies: 8, seed: 5 });
  config = testConfig({ DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, MAX_PAGE_SIZE: '50' });
  const loaded = await openModelSet(tdb.db, cohort.modelSet, { provider: 'cpu', threads: 1 });
  const studyIds = (await tdb.db.prisma.study.findMany({ select: { id: true } })).map((s) => s.id);
  await runInference(tdb.db, { studyIds, modelSetId: cohort.modelSet.id, modelSet: loaded });
  await loaded.release();
  server = await serve({ config, logger: silentLogger, db: tdb.db, port: 0 });
  worker = await runWorker({ config, logger: silentLogger, queues: ['inference'], concurrency: 1 });
  ws = createClient({ url: server.api.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
}, 300_000);

afterAll(async () => {
  await ws?.dispose();
  await worker?.stop();
  await server?.stop();
  await tdb?.drop();
  await cohort?.cleanup();
  await deleteKeysWithPrefix(prefix);
});

const url = (): string => server.api.url;
const atLeast = (s: string, min: Severity): boolean => SEVERITIES.indexOf(s as Severity) >= SEVERITIES.indexOf(min);

describe('studies', () => {
  it('pages through every study exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: {
        studies: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] };
      } = await gqlData(
        url(),
        'query($after: String) { studies(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }',
        { after },
      );
      expect(data.studies.totalCount).toBe(8);
      seen.push(...data.studies.edges.map((e) => e.node.id));
      if (!data.studies.pageInfo.hasNextPage) break;
      after = data.studies.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('filters by labels, predictions, series types and external ids like an independent count', async () => {
    const labels = await tdb.db.prisma.label.findMany();
    const preds = await tdb.db.prisma.prediction.findMany({ where: { modelSetId: cohort.modelSet.id } });
    const expectLabelled = new Set(
      labels
        .filter((l) => l.condition === 'SPINAL_CANAL_STENOSIS' && l.level === 'L4_L5' && atLeast(l.severity, 'MODERATE'))
        .map((l) => l.studyId),
    );
    const expectPredicted = new Set(
      preds
        .filter((p) => p.condition === 'LEFT_SUBARTICULAR_STENOSIS' && atLeast(p.severity, 'NORMAL_MILD') && p.moderate + p.severe >= 0.5)
        .map((p) => p.studyId),
    );
    const query = 'query($f: StudyFilter) { studies(filter: $f, first: 50) { totalCount edges { node { id externalId } } } }';
    type R = { studies: { totalCount: number; edges: { node: { id: string; externalId: string } }[] } };
    const byLabel = await gqlData<R>(url(), query, {
      f: { labels: [{ condition: 'SPINAL_CANAL_STENOSIS', level: 'L4_L5', atLeast: 'MODERATE' }] },
    });
    expect(new Set(byLabel.studies.edges.map((e) => e.node.id))).toEqual(expectLabelled);
    expect(byLabel.studies.totalCount).toBe(expectLabelled.size);
    const byPrediction = await gqlData<R>(url(), query, {
      f: { predicted: [{ condition: 'LEFT_SUBARTICULAR_STENOSIS', atLeast: 'NORMAL_MILD', minProbability: 0.5 }] },
    });
    expect(new Set(byPrediction.studies.edges.map((e) => e.node.id))).toEqual(expectPredicted);
    const both = await gqlData<R>(url(), query, { f: { hasSeriesTypes: ['AXIAL_T2', 'SAGITTAL_T1'], labelled: true } });
    expect(both.studies.totalCount).toBe(8);
    const none = await gqlData<R>(url(), query, { f: { labelled: false } });
    expect(none.studies.totalCount).toBe(0);
    const one = byLabel.studies.edges[0]?.node ?? both.studies.edges[0].node;
    const byExternal = await gqlData<R>(url(), query, { f: { externalIds: [one.externalId] } });
    expect(byExternal.studies.edges.map((e) => e.node.id)).toEqual([one.id]);
  });

  it('returns a study with its 25 predictions, labels, keypoints and series', async () => {
    const id = (await tdb.db.prisma.study.findFirst())!.id;
    const data = await gqlData<{
      study: {
        predictions: { normalMild: number; moderate: number; severe: number; severity: string }[];
        labels: unknown[];
        keypoints: { source: string }[];
        series: { type: string; instances: { sliceIndex: number }[] }[];
      };
    }>(
      url(),
      `query($id: ID!) { study(id: $id) { externalId predictions { condition level normalMild moderate severe severity fallback }
        labels { condition level severity } keypoints { level side role source pixelX pixelY patientMm score }
        series { type instanceCount instances { id sliceIndex stackIndex } } } }`,
      { id },
    );
    expect(data.study.predictions).toHaveLength(25);
    for (const p of data.study.predictions) {
      expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 5);
      const triple = [p.normalMild, p.moderate, p.severe];
      expect(p.severity).toBe(SEVERITIES[triple.indexOf(Math.max(...triple))]);
    }
    expect(data.study.labels.length).toBeGreaterThan(0);
    expect(data.study.keypoints.length).toBeGreaterThan(0);
    expect(data.study.series.map((s) => s.type).sort()).toEqual(['AXIAL_T2', 'SAGITTAL_T1', 'SAGITTAL_T2_STIR']);
  });

  it('answers bad input with a code and an unknown id with null', async () => {
    const bad = await gql(url(), '{ study(id: "not-an-id") { id } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await gqlData<{ study: null }>(url(), '{ study(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(unknown.study).toBeNull();
    const both = await gql(url(), 'mutation { runInference(input: { studyIds: [], filter: {} }) { id } }');
    expect(both.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const noRoots = await gql(url(), 'mutation { importStudies(input: { path: "/tmp" }) { id } }');
    expect(noRoots.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('cohort aggregates', () => {
  it('cohortSummary matches counts done independently, for predictions and labels', async () => {
    type Cells = {
      cohortSummary: {
        studyCount: number;
        cells: { condition: string; level: string; severity: string; count: number; fraction: number }[];
      };
    };
    const q = 'query($s: SeveritySource) { cohortSummary(source: $s) { studyCount cells { condition level severity count fraction } } }';
    for (const source of ['PREDICTED', 'LABELLED'] as const) {
      const data = await gqlData<Cells>(url(), q, { s: source });
      expect(data.cohortSummary.studyCount).toBe(8);
      expect(data.cohortSummary.cells).toHaveLength(75);
      const rows =
        source === 'PREDICTED'
          ? await tdb.db.prisma.prediction.findMany({ where: { modelSetId: cohort.modelSet.id } })
          : await tdb.db.prisma.label.findMany();
      for (const cell of data.cohortSummary.cells) {
        const graded = rows.filter((r) => r.condition === cell.condition && r.level === cell.level);
        const count = graded.filter((r) => r.severity === cell.severity).length;
        expect(cell.count).toBe(count);
        expect(cell.fraction).toBeCloseTo(graded.length ? count / graded.length : 0, 10);
      }
    }
  });

  it('evaluation equals an independent implementation of the competition metric', async () => {
    const labels = await tdb.db.prisma.label.findMany();
    const preds = new Map(
      (await tdb.db.prisma.prediction.findMany({ where: { modelSetId: cohort.modelSet.id } })).map((p) => [
        `${p.studyId}|${p.condition}|${p.level}`,
        p,
      ]),
    );
    const rows: ScoredRow[] = labels.map((l) => {
      const p = preds.get(`${l.studyId}|${l.condition}|${l.level}`)!;
      return {
        studyId: l.studyId,
        core: CONDITION_INFO[l.condition as Condition].core,
        label: SEVERITIES.indexOf(l.severity as Severity) as 0 | 1 | 2,
        p: [p.normalMild, p.moderate, p.severe],
      };
    });
    const expected = rsnaMetric(rows);
    const data = await gqlData<{ evaluation: Record<string, number> }>(
      url(),
      '{ evaluation { score spinal foraminal subarticular anySevereSpinal studyCount rowCount } }',
    );
    for (const k of ['score', 'spinal', 'foraminal', 'subarticular', 'anySevereSpinal'] as const)
      expect(data.evaluation[k]).toBeCloseTo(expected[k], 9);
    expect(data.evaluation.rowCount).toBe(labels.length);
    expect(data.evaluation.studyCount).toBe(8);
  });
});

describe('jobs over the queue', () => {
  it('a subscriber sees a real inference job go from its current state to COMPLETED', async () => {
    const ids = (await tdb.db.prisma.study.findMany({ take: 2, select: { id: true } })).map((s) => s.id);
    const updated: string[] = [];
    const stopUpdates = ws.subscribe(
      { query: 'subscription { jobUpdated(kind: INFERENCE) { id status } }' },
      { next: (m) => updated.push(JSON.stringify(m.data)), error: () => undefined, complete: () => undefined },
    );
    const started = await gqlData<{ runInference: { id: string; status: string } }>(
      url(),
      'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id status } }',
      { ids },
    );
    const jobId = started.runInference.id;
    const events: { status: string; progress: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.subscribe(
        {
          query: 'subscription($id: ID!) { jobProgress(jobId: $id) { jobId status progress stage message at } }',
          variables: { id: jobId },
        },
        {
          next: (m) => events.push((m.data as { jobProgress: { status: string; progress: number } }).jobProgress),
          error: reject,
          complete: resolve,
        },
      );
    });
    // jobUpdated resolves each event with a database read, so it may trail jobProgress a little.
    for (let i = 0; i < 50 && !updated.some((u) => u.includes(jobId) && u.includes('COMPLETED')); i++)
      await new Promise((r) => setTimeout(r, 100));
    stopUpdates();
    expect(['QUEUED', 'RUNNING']).toContain(events[0].status);
    expect(events.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 1 });
    for (let i = 1; i < events.length; i++) expect(events[i].progress).toBeGreaterThanOrEqual(events[i - 1].progress);
    const job = await gqlData<{ job: { status: string; result: { completed: number; failed: unknown[] } } }>(
      url(),
      'query($id: ID!) { job(id: $id) { status result } }',
      { id: jobId },
    );
    expect(job.job.status).toBe('COMPLETED');
    expect(job.job.result).toMatchObject({ studies: 2, completed: 2, failed: [] });
    expect(updated.some((u) => u.includes(jobId) && u.includes('COMPLETED'))).toBe(true);
    const listed = await gqlData<{ jobs: { totalCount: number; edges: { node: { id: string } }[] } }>(
      url(),
      '{ jobs(kind: INFERENCE) { totalCount edges { node { id } } } }',
    );
    expect(listed.jobs.edges[0].node.id).toBe(jobId);
    const again = await gql(url(), 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: jobId });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});

describe('HTTP endpoints beside GraphQL', () => {
  const base = (): string => url().replace(/\/graphql$/, '');

  it('streams the Kaggle submission with every row present, for all studies or a filter', async () => {
    const res = await fetch(`${base()}/exports/submission.csv`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('row_id,normal_mild,moderate,severe');
    expect(lines).toHaveLength(1 + 8 * 25);
    const study = (await tdb.db.prisma.study.findFirst())!;
    expect(lines.filter((l) => l.startsWith(`${study.externalId}_`))).toHaveLength(25);
    for (const l of lines.slice(1)) {
      const [, a, b, c] = l.split(',');
      expect(Number(a) + Number(b) + Number(c)).toBeCloseTo(1, 4);
    }
    const filtered = await fetch(
      `${base()}/exports/submission.csv?filter=${encodeURIComponent(JSON.stringify({ externalIds: [study.externalId] }))}`,
    );
    expect((await filtered.text()).trim().split('\n')).toHaveLength(26);
    const bad = await fetch(`${base()}/exports/submission.csv?filter=${encodeURIComponent('{"nope":1}')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
  });

  it('exposes Prometheus metrics and the queue board', async () => {
    await gqlData(url(), '{ version }');
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toMatch(/spinegraph_graphql_request_duration_seconds_count\{operation="query",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/spinegraph_queue_jobs\{queue="inference",state="completed"\}/);
    expect(metrics).toMatch(/spinegraph_jobs_finished\{kind="INFERENCE",status="COMPLETED"\} [1-9]/);
    const board = await fetch(`${base()}/admin/queues`);
    expect(board.status).toBe(200);
    expect(await board.text()).toMatch(/<html/i);
  });
});
