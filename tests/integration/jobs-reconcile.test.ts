// Job rows and the queue disagree when Redis forgets jobs (restarted without its data, flushed) or when BullMQ fails
// a job by itself (stalled too often) without our processor writing the row. The reconciler fails such rows, says
// why, publishes each change once, and leaves alone every row the queue still holds and every row still too young.
import { Worker, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobKind, JobProgressMessage } from '../../src/domain/job.js';
import { JobQueues } from '../../src/queue/job-queues.js';
import { JOB_LOST_CODE, JOB_STALLED_CODE, reconcileJobs, startJobReconciler } from '../../src/queue/job-reconciler.js';
import { QUEUE_OF_KIND } from '../../src/queue/queue-names.js';
import { JobStore } from '../../src/services/job-store.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';

const prefix = uniquePrefix();
let t: TestDatabase;
let connection: Redis;
let queues: JobQueues;
let store: JobStore;
const events: JobProgressMessage[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = new JobQueues(connection, prefix);
  store = new JobStore(t.db, { progress: () => undefined, statusChanged: (m) => void events.push(m) });
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await deleteKeysWithPrefix(prefix);
  await t?.drop();
});

/** A Job row as jobs.service writes it, aged by `ageMs`, in the given status. */
async function jobRow(kind: JobKind, status: 'QUEUED' | 'RUNNING', ageMs: number): Promise<string> {
  const row = await store.create({ kind, params: {} });
  await t.db.sql.query(
    `UPDATE "Job" SET status = $2::"JobStatus", "createdAt" = now() - make_interval(secs => $3::float8 / 1000) WHERE id = $1::uuid`,
    [row.id, status, ageMs],
  );
  return row.id;
}

const statusOf = async (id: string) => (await store.get(id)).status;

describe('job reconciler', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    events.length = 0;
    // Queued and still in the queue (no worker serves this prefix's import queue).
    ids.waiting = await jobRow('IMPORT', 'QUEUED', 600_000);
    await queues.add('IMPORT', ids.waiting);
    // Queued, never reached the queue or the queue lost it.
    ids.lostQueued = await jobRow('INFERENCE', 'QUEUED', 600_000);
    // Running when Redis lost it.
    ids.lostRunning = await jobRow('INFERENCE', 'RUNNING', 600_000);
    // Written a moment ago: its queue entry may simply not be there yet.
    ids.young = await jobRow('INFERENCE', 'QUEUED', 0);
    // Already finished: nothing to reconcile, whatever the queue says.
    ids.finished = await jobRow('TRAINING', 'QUEUED', 600_000);
    await store.complete(ids.finished, { ok: true });
    // BullMQ failed it without our processor (a raw worker stands in for "stalled more often than allowed").
    ids.stalled = await jobRow('TRAINING', 'RUNNING', 600_000);
    await queues.add('TRAINING', ids.stalled);
    const workerConnection = connection.duplicate();
    const worker = new Worker(
      QUEUE_OF_KIND.TRAINING,
      async () => {
        throw new UnrecoverableError('job stalled more than allowable limit');
      },
      { connection: workerConnection, prefix },
    );
    for (let waited = 0; (await queues.entryOf('TRAINING', ids.stalled)).state !== 'failed'; waited += 50) {
      if (waited > 15_000) throw new Error('BullMQ never failed the stand-in job');
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker.close();
    workerConnection.disconnect();
    events.length = 0;
  });

  it('fails the rows the queue lost (JOB_LOST) or failed by itself (JOB_STALLED), and only those', async () => {
    const result = await reconcileJobs(t.db, store, queues, { graceMs: 60_000 });
    expect(new Set(result.lost)).toEqual(new Set([ids.lostQueued, ids.lostRunning]));
    expect(result.stalled).toEqual([ids.stalled]);

    for (const id of [ids.lostQueued, ids.lostRunning] as string[]) {
      const row = await store.get(id);
      expect(row).toMatchObject({ status: 'FAILED', errorCode: JOB_LOST_CODE });
      expect(row.errorMessage).toMatch(/start it again/);
      // What is known, not a guess: the entry is missing; never queued or lost, which cannot be told apart.
      expect(row.errorMessage).toMatch(/holds no entry for this job, still (QUEUED|RUNNING) \d+ s after it was created/);
      expect(row.errorMessage).toMatch(/never queued .* or its entry was lost/);
      expect(row.finishedAt).toBeInstanceOf(Date);
    }
    expect(await store.get(ids.stalled as string)).toMatchObject({
      status: 'FAILED',
      errorCode: JOB_STALLED_CODE,
      errorMessage: 'The job queue failed this job: job stalled more than allowable limit',
    });
    expect(await statusOf(ids.waiting as string)).toBe('QUEUED');
    expect(await statusOf(ids.young as string)).toBe('QUEUED');
    expect(await statusOf(ids.finished as string)).toBe('COMPLETED');
    // One status event per corrected row, for subscribers and dashboards.
    expect(events.map((e) => `${e.jobId}:${e.status}`).sort()).toEqual(
      [ids.lostQueued, ids.lostRunning, ids.stalled].map((id) => `${id}:FAILED`).sort(),
    );
  });

  it('changes nothing on a second round, and never overwrites an outcome written in between', async () => {
    events.length = 0;
    expect(await reconcileJobs(t.db, store, queues, { graceMs: 60_000 })).toEqual({ lost: [], stalled: [] });
    expect(events).toEqual([]);
    // The store's conditional write is what makes concurrent reconcilers (one per worker) safe.
    expect(await store.failIfUnfinished(ids.finished as string, JOB_LOST_CODE, 'lost')).toBeNull();
    expect(await statusOf(ids.finished as string)).toBe('COMPLETED');
  });

  it('runs on an interval in the worker, and takes a young row once it has aged past the grace period', async () => {
    const id = await jobRow('IMPORT', 'QUEUED', 0);
    const reconciler = startJobReconciler({ db: t.db, store, queues, intervalMs: 200, graceMs: 1500, logger: createLogger('silent') });
    try {
      expect(await statusOf(id)).toBe('QUEUED');
      await expect.poll(() => statusOf(id), { timeout: 10_000, interval: 100 }).toBe('FAILED');
    } finally {
      await reconciler.stop();
    }
    expect(await statusOf(ids.waiting as string)).toBe('QUEUED');
  });
});
