// Fault test: cancelling cohort inferences. A queued cohort is removed from the queue; a running one has its
// running child aborted through its AbortSignal and the rest removed. Nothing is written after the cancel settles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { cancelJobMutation, inferenceQueueCounts, startApi, startCohortInference } from '../support/job-api.js';
import { childRows, createCohort, jobRow, predictionCounts, PREDICTIONS_PER_STUDY, waitFor, type Cohort } from '../support/job-cohort.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const prefix = uniquePrefix();
let cohort: Cohort;
let api: RunningServer;
let worker: WorkerProcess | undefined;
let queuedParentId: string;

beforeAll(async () => {
  cohort = await createCohort({ studies: 4 });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix });
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await api?.stop();
  await cohort?.close();
  await deleteKeysWithPrefix(prefix);
});

async function cancel(id: string): Promise<string> {
  const res = await cancelJobMutation(api, id);
  if (res.errors?.length || !res.data) throw new Error(`cancelJob failed: ${JSON.stringify(res.errors)}`);
  return res.data.cancelJob.status;
}

describe('cancelling a cohort inference', () => {
  it('removes a queued cohort from the queue and marks every row CANCELLED', async () => {
    // No worker runs yet: the cohort and its children wait in Redis.
    queuedParentId = await startCohortInference(api, cohort.studyIds);
    expect(await inferenceQueueCounts(TEST_REDIS_URL, prefix)).toMatchObject({ waiting: cohort.studyIds.length + 1 });

    expect(await cancel(queuedParentId)).toBe('CANCELLED');
    const children = await childRows(cohort.db, queuedParentId);
    expect(children.map((c) => [c.status, c.errorCode, c.startedAt])).toEqual(children.map(() => ['CANCELLED', 'JOB_CANCELLED', null]));
    expect(await jobRow(cohort.db, queuedParentId)).toMatchObject({ status: 'CANCELLED', errorCode: 'JOB_CANCELLED' });
    expect(await inferenceQueueCounts(TEST_REDIS_URL, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    // Cancelling again is a conflict, not a second cancel.
    expect((await cancelJobMutation(api, queuedParentId)).errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('aborts the running child through its AbortSignal, removes the rest, and writes nothing afterwards', async () => {
    worker = await startWorkerProcess({ databaseUrl: cohort.tdb.url, redisUrl: TEST_REDIS_URL, prefix });
    const parentId = await startCohortInference(api, cohort.studyIds);
    const running = await waitFor(
      'a running child',
      async () => (await childRows(cohort.db, parentId)).find((c) => c.status === 'RUNNING'),
      60_000,
      10,
    );

    expect(await cancel(parentId)).toBe('CANCELLED');
    const settled = await waitFor('every child to settle', async () => {
      const rows = await childRows(cohort.db, parentId);
      return rows.every((c) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(c.status)) ? rows : undefined;
    });
    const victim = settled.find((c) => c.id === running.id)!;
    expect(victim).toMatchObject({ status: 'CANCELLED', errorCode: 'JOB_CANCELLED' });
    expect(worker.logs.some((l) => l.msg === 'cancelling running job' && l.jobId === running.id)).toBe(true);
    // The others never started.
    for (const c of settled.filter((c) => c.id !== running.id)) expect(c).toMatchObject({ status: 'CANCELLED', startedAt: null });
    expect(await jobRow(cohort.db, parentId)).toMatchObject({ status: 'CANCELLED' });

    // Settled means settled: a few seconds later (with the worker alive and idle) nothing more was written.
    const before = await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds);
    const lastWrite = await cohort.db.prisma.prediction.aggregate({ _max: { updatedAt: true } });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds)).toEqual(before);
    expect((await cohort.db.prisma.prediction.aggregate({ _max: { updatedAt: true } }))._max.updatedAt).toEqual(lastWrite._max.updatedAt);
    // A study has all of its rows or none (the aborted child may have finished writing before the abort reached it).
    for (const n of Object.values(before)) expect([0, PREDICTIONS_PER_STUDY]).toContain(n);
    for (const c of settled.filter((c) => c.id !== running.id)) expect(before[c.studyId]).toBe(0);
    expect(await inferenceQueueCounts(TEST_REDIS_URL, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    expect(await cohort.db.prisma.job.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } })).toBe(0);

    // The cohort cancelled while queued never ran, though a worker has been serving the queue since.
    expect(await cohort.db.prisma.prediction.count({ where: { jobId: queuedParentId } })).toBe(0);
    expect((await childRows(cohort.db, queuedParentId)).every((c) => c.status === 'CANCELLED' && c.startedAt === null)).toBe(true);
  }, 120_000);
});
