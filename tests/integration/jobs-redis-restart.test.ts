// Fault test: Redis restarts in the middle of a cohort inference (a Redis of this test's own, so other test files
// are not disturbed). With its append-only file: while it is down the API keeps answering queries and job mutations
// fail fast with SERVICE_UNAVAILABLE; when it is back the worker and the API reconnect and the run completes. Without
// persistence it comes back empty: the reconciler fails the rows whose queue entries were lost (JOB_LOST).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { gql } from '../support/graphql-client.js';
import { cancelJobMutation, inferenceQueueCounts, runInferenceMutation, startApi, startCohortInference } from '../support/job-api.js';
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
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const prefix = uniquePrefix();
let redis: PrivateRedis;
let cohort: Cohort;
let api: RunningServer;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  redis = await startPrivateRedis();
  cohort = await createCohort({ studies: 4 });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix, redisUrl: redis.url });
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await api?.stop();
  await cohort?.close();
  await redis?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('Redis restarting mid-run', () => {
  it('fails job mutations fast while it is down, keeps answering queries, and completes the run when it is back', async () => {
    worker = await startWorkerProcess({
      databaseUrl: cohort.tdb.url,
      redisUrl: redis.url,
      prefix,
      lockDurationMs: 4000,
      stalledIntervalMs: 2000,
    });
    const parentId = await startCohortInference(api, cohort.studyIds);
    await waitFor('a running child', async () => (await childRows(cohort.db, parentId)).find((c) => c.status === 'RUNNING'), 60_000, 20);
    const jobsBefore = await cohort.db.prisma.job.count();

    await redis.stop('SIGTERM');
    const downSince = performance.now();

    const mutation = await timed(() => runInferenceMutation(api, cohort.studyIds.slice(0, 1)));
    expect(mutation.value.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(mutation.ms).toBeLessThan(3000);
    const cancel = await timed(() => cancelJobMutation(api, parentId));
    expect(cancel.value.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(cancel.ms).toBeLessThan(3000);
    // A refused mutation leaves no job row behind.
    expect(await cohort.db.prisma.job.count()).toBe(jobsBefore);

    const query = await timed(() =>
      gql<{ studies: { totalCount: number }; job: { status: string } }>(
        api.api.url,
        'query($id: ID!) { studies { totalCount } job(id: $id) { status } }',
        { id: parentId },
      ),
    );
    expect(query.value.errors).toBeUndefined();
    expect(query.value.data?.studies.totalCount).toBe(cohort.studyIds.length);
    expect(query.value.data?.job.status).toBe('RUNNING');
    expect(query.ms).toBeLessThan(3000);

    // Down for longer than the worker's lock: the running child's lock may lapse and the job be re-run.
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (performance.now() - downSince))));
    await redis.start();

    const parent = await waitForTerminal(cohort.db, parentId, 120_000);
    const children = await childRows(cohort.db, parentId);
    expect(children.map((c) => c.status)).toEqual(cohort.studyIds.map(() => 'COMPLETED'));
    expect(parent.status).toBe('COMPLETED');
    expect(parent.progress).toBe(1);
    expect(parent.result).toMatchObject({ studies: cohort.studyIds.length, completed: cohort.studyIds.length, failed: [] });
    const counts = await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds);
    expect(Object.values(counts)).toEqual(cohort.studyIds.map(() => PREDICTIONS_PER_STUDY));
    expect(await duplicateKeypoints(cohort.db, cohort.modelSetId)).toEqual([]);
    expect(worker.alive).toBe(true);

    // The API reconnected too: a new job is accepted and the worker runs it.
    const again = await waitFor(
      'the API to accept jobs again',
      async () => {
        const res = await runInferenceMutation(api, cohort.studyIds.slice(0, 1));
        return res.data?.runInference.id;
      },
      20_000,
      250,
    );
    expect((await waitForTerminal(cohort.db, again)).status).toBe('COMPLETED');
    expect(await inferenceQueueCounts(redis.url, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }, 180_000);

  it('restarted without persistence it comes back empty: the worker fails the rows the queue lost with JOB_LOST, and new jobs run', async () => {
    await worker?.kill('SIGKILL');
    worker = undefined;
    // Queued while no worker runs, then Redis crashes and restarts without an append-only file: its data is gone.
    const parentId = await startCohortInference(api, cohort.studyIds);
    expect((await inferenceQueueCounts(redis.url, prefix)).waiting).toBeGreaterThan(0);
    await redis.stop('SIGKILL');
    await redis.start({ persistence: false });
    const probe = new Redis(redis.url);
    const appendOnly = await probe.config('GET', 'appendonly');
    probe.disconnect();
    expect(appendOnly).toEqual(['appendonly', 'no']);
    expect(await inferenceQueueCounts(redis.url, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });

    worker = await startWorkerProcess({
      databaseUrl: cohort.tdb.url,
      redisUrl: redis.url,
      prefix,
      env: { JOB_RECONCILE_INTERVAL_MS: '200', JOB_LOST_GRACE_MS: '1000' },
    });
    const parent = await waitForTerminal(cohort.db, parentId, 30_000);
    expect(parent).toMatchObject({ status: 'FAILED', errorCode: 'JOB_LOST' });
    const children = await waitFor(
      'every child reconciled',
      async () => {
        const rows = await childRows(cohort.db, parentId);
        return rows.every((c) => c.status !== 'QUEUED') ? rows : undefined;
      },
      30_000,
      100,
    );
    expect(children.map((c) => `${c.status}:${c.errorCode}`)).toEqual(cohort.studyIds.map(() => 'FAILED:JOB_LOST'));

    const again = await runInferenceMutation(api, cohort.studyIds.slice(0, 1));
    expect((await waitForTerminal(cohort.db, again.data?.runInference.id as string)).status).toBe('COMPLETED');
  }, 120_000);
});
