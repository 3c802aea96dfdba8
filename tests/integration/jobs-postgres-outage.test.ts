// Fault test: PostgreSQL stopped for 20 s in the middle of a cohort inference, on a private server the test starts
// and stops. Jobs wait for the database and resume (never "no record", never failed for the outage); while it is
// down the API answers SERVICE_UNAVAILABLE (HTTP 503), and afterwards it answers again by itself. In the end: every
// study COMPLETED with exactly 25 predictions, no duplicate keypoint, no job left in a non-final state.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { inferenceQueueCounts, startApi, startCohortInference } from '../support/job-api.js';
import {
  childRows,
  createCohort,
  duplicateKeypoints,
  predictionCounts,
  PREDICTIONS_PER_STUDY,
  waitFor,
  waitForTerminal,
  type Cohort,
} from '../support/job-cohort.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const OUTAGE_MS = 20_000;
const prefix = uniquePrefix();
let postgres: PrivatePostgres;
let cohort: Cohort;
let api: RunningServer;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  cohort = await createCohort({ studies: 4, adminUrl: postgres.adminUrl });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix });
}, 180_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await api?.stop();
  if (postgres && !postgres.running) await postgres.start().catch(() => undefined);
  await cohort?.close().catch(() => undefined);
  await postgres?.close();
  await deleteKeysWithPrefix(prefix);
});

async function jobsQuery(): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(api.api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ jobs(first: 1) { totalCount } }' }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code };
}

describe('PostgreSQL stopped for 20 s mid-cohort', () => {
  it('delays the cohort, loses nothing, and the API says SERVICE_UNAVAILABLE meanwhile', async () => {
    const parentId = await startCohortInference(api, cohort.studyIds);
    worker = await startWorkerProcess({
      databaseUrl: cohort.tdb.url,
      redisUrl: TEST_REDIS_URL,
      prefix,
      concurrency: 1,
      env: { INFERENCE_THREADS: '1' },
    });
    // Mid-cohort: a study is done, others are not.
    await waitFor(
      'a first study to complete',
      async () => ((await childRows(cohort.db, parentId)).some((c) => c.status === 'COMPLETED') ? true : undefined),
      120_000,
    );
    await postgres.stop('fast');
    const stoppedAt = Date.now();
    const during = await jobsQuery();
    expect(during).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    expect(await jobsQuery()).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    await postgres.start();
    // The API recovers by itself.
    await waitFor('the API to answer again', async () => ((await jobsQuery()).status === 200 ? true : undefined), 30_000, 250);

    const parent = await waitForTerminal(cohort.db, parentId, 180_000);
    expect(parent.status).toBe('COMPLETED');
    const children = await childRows(cohort.db, parentId);
    expect(children.map((c) => `${c.status}:${c.errorCode}`)).toEqual(cohort.studyIds.map(() => 'COMPLETED:null'));
    expect((parent.result as { failed: unknown[] }).failed).toEqual([]);
    const counts = await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds);
    for (const id of cohort.studyIds) expect(counts[id]).toBe(PREDICTIONS_PER_STUDY);
    expect(await duplicateKeypoints(cohort.db, cohort.modelSetId)).toEqual([]);
    const unfinished = await cohort.db.prisma.job.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } });
    expect(unfinished).toBe(0);
    expect(await inferenceQueueCounts(TEST_REDIS_URL, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  }, 360_000);
});
