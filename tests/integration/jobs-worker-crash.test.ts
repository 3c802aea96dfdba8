// Fault test: a worker killed with SIGKILL in the middle of a cohort inference. Another worker takes the stalled
// child over once its lock expires, and the cohort ends with exactly one set of results per study. Redis and
// PostgreSQL are private instances this test starts, so a fault here cannot disturb (or be hidden by) other tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { inferenceQueueCounts, startApi, startCohortInference } from '../support/job-api.js';
import {
  childRows,
  createCohort,
  duplicateKeypoints,
  jobRow,
  predictionCounts,
  PREDICTIONS_PER_STUDY,
  waitFor,
  waitForTerminal,
  type Cohort,
} from '../support/job-cohort.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const prefix = uniquePrefix();
let redis: PrivateRedis;
let postgres: PrivatePostgres;
let cohort: Cohort;
let api: RunningServer;
const workers: WorkerProcess[] = [];

const workerOptions = () => ({
  databaseUrl: cohort.tdb.url,
  redisUrl: redis.url,
  prefix,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
});

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  cohort = await createCohort({ studies: 4, adminUrl: postgres.adminUrl });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix, redisUrl: redis.url });
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await api?.stop();
  await cohort?.close().catch(() => undefined);
  await Promise.all([postgres?.close(), redis?.close()]);
});

describe('a worker killed with SIGKILL mid-job', () => {
  it('has its running child taken over by another worker; every study ends with exactly one set of results', async () => {
    const first = await startWorkerProcess(workerOptions());
    workers.push(first);
    const parentId = await startCohortInference(api, cohort.studyIds);

    // Kill the moment a child is RUNNING on the first worker: it holds the lock and has written nothing final.
    const victim = await waitFor(
      'a running child',
      async () => (await childRows(cohort.db, parentId)).find((c) => c.status === 'RUNNING'),
      60_000,
      20,
    );
    const killStatus = await first.kill('SIGKILL');
    const killedAt = new Date();
    expect(killStatus.signal).toBe('SIGKILL');
    expect((await jobRow(cohort.db, victim.id)).status).toBe('RUNNING');

    const second = await startWorkerProcess(workerOptions());
    workers.push(second);
    const parent = await waitForTerminal(cohort.db, parentId);

    const children = await childRows(cohort.db, parentId);
    expect(children.map((c) => c.status)).toEqual(cohort.studyIds.map(() => 'COMPLETED'));
    // The killed worker's child was run again, by the second worker, after the kill.
    const rerun = children.find((c) => c.id === victim.id)!;
    expect(rerun.startedAt!.getTime()).toBeGreaterThanOrEqual(killedAt.getTime());
    expect(parent.status).toBe('COMPLETED');
    expect(parent.progress).toBe(1);
    expect(parent.result).toMatchObject({ studies: cohort.studyIds.length, completed: cohort.studyIds.length, failed: [] });

    const counts = await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds);
    expect(Object.values(counts)).toEqual(cohort.studyIds.map(() => PREDICTIONS_PER_STUDY));
    expect(await duplicateKeypoints(cohort.db, cohort.modelSetId)).toEqual([]);
    // Every study has model keypoints, written by a job of this cohort.
    const withKeypoints = await cohort.db.prisma.keypoint.groupBy({
      by: ['studyId'],
      where: { modelSetId: cohort.modelSetId, source: 'MODEL' },
    });
    expect(withKeypoints.length).toBe(cohort.studyIds.length);
    const jobIds = await cohort.db.prisma.prediction.groupBy({ by: ['jobId'], where: { modelSetId: cohort.modelSetId } });
    expect(jobIds.map((j) => j.jobId)).toEqual([parentId]);

    // No job row is left non-final, and nothing is left behind in the queue: no waiting, active, delayed or failed jobs.
    expect(await cohort.db.prisma.job.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } })).toBe(0);
    expect(await inferenceQueueCounts(redis.url, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }, 150_000);

  it('finishes its running job on SIGTERM, exits cleanly, and leaves the rest queued', async () => {
    const worker = workers.at(-1)!;
    expect(worker.alive).toBe(true);
    const parentId = await startCohortInference(api, cohort.studyIds);
    const running = await waitFor(
      'a running child',
      async () => (await childRows(cohort.db, parentId)).find((c) => c.status === 'RUNNING'),
      60_000,
      20,
    );
    const exit = await worker.stop();
    expect(exit).toEqual({ code: 0, signal: null });

    const children = await childRows(cohort.db, parentId);
    // The job it held when told to stop ran to the end: no half-done work for another worker to redo.
    expect(children.find((c) => c.id === running.id)).toMatchObject({ status: 'COMPLETED' });
    const rest = children.filter((c) => c.status !== 'COMPLETED');
    expect(rest.length).toBeGreaterThan(0);
    for (const c of rest) expect(c).toMatchObject({ status: 'QUEUED', startedAt: null });
    // They are still in the queue for the next worker; nothing is active or lost.
    expect(await inferenceQueueCounts(redis.url, prefix)).toMatchObject({ waiting: rest.length + 1, active: 0 });
  }, 90_000);
});
