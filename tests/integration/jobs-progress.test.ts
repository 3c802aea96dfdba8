// Progress events reach every subscriber exactly once: two API processes (same database, Redis and prefix), a
// graphql-ws subscriber on each, and the job run by a worker in another process. Each subscriber's sequence is
// compared with what the worker published on the Redis channel.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { jobProgressStream } from '../../src/api/job-progress-stream.js';
import type { RequestContext } from '../../src/api/context.js';
import { createAppPubSub, TOPICS } from '../../src/api/pubsub.js';
import type { JobProgressMessage } from '../../src/domain/job.js';
import type { RunningServer } from '../../src/server.js';
import { toMessage, type JobRow } from '../../src/services/job-store.js';
import { record, startApi, startCohortInference, wsClient } from '../support/job-api.js';
import { createCohort, jobRow, waitFor, type Cohort } from '../support/job-cohort.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const prefix = uniquePrefix();
let cohort: Cohort;
const apis: RunningServer[] = [];
const clients: Client[] = [];
let raw: Redis | undefined;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  cohort = await createCohort({ studies: 4 });
  for (let i = 0; i < 2; i++) apis.push(await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix }));
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  for (const c of clients) await c.dispose();
  raw?.disconnect();
  for (const api of apis) await api.stop();
  await cohort?.close();
  await deleteKeysWithPrefix(prefix);
});

interface Event {
  status: string;
  progress: number;
  stage: string | null;
  message: string | null;
  at: number;
}

const PROGRESS = 'subscription($id: ID!) { jobProgress(jobId: $id) { jobId status progress stage message at } }';
const asEvent = (m: { status: string; progress: number; stage: string | null; message: string | null; at: string }): Event => ({
  status: m.status,
  progress: m.progress,
  stage: m.stage,
  message: m.message,
  at: new Date(m.at).getTime(),
});

describe('job progress across processes', () => {
  it('delivers each event exactly once to a subscriber on each of two API processes', async () => {
    const parentId = await startCohortInference(apis[0], cohort.studyIds.slice(0, 2));

    // What the worker publishes, straight from the Redis channel every API process listens on.
    const channel = `${prefix}:events:${TOPICS.JOB_PROGRESS}:${parentId}`;
    const published: Event[] = [];
    raw = new Redis(TEST_REDIS_URL);
    raw.on('message', (ch: string, text: string) => ch === channel && published.push(asEvent(JSON.parse(text) as JobProgressMessage)));
    await raw.subscribe(channel);

    const recordings = apis.map((api) => {
      const client = wsClient(api);
      clients.push(client);
      return record(client, PROGRESS, { id: parentId }, (d) => asEvent(d.jobProgress as JobProgressMessage));
    });
    const firsts = await Promise.all(recordings.map((r) => r.firstEvent()));
    // The first event is the job's current state; nothing has run yet (no worker).
    for (const f of firsts) expect(f.data).toMatchObject({ status: 'QUEUED', progress: 0 });
    // Both API processes and this test listen on the channel before the worker starts.
    const probe = new Redis(TEST_REDIS_URL);
    await waitFor(
      'three subscribers on the channel',
      async () => {
        const [, n] = (await probe.pubsub('NUMSUB', channel)) as [string, number];
        return n === 3 ? n : undefined;
      },
      10_000,
    );
    probe.disconnect();

    worker = await startWorkerProcess({ databaseUrl: cohort.tdb.url, redisUrl: TEST_REDIS_URL, prefix });
    await Promise.all(recordings.map((r) => r.done));

    const [a, b] = recordings.map((r) => r.events.map((e) => e.data));
    expect(published.length).toBeGreaterThanOrEqual(4);
    // Every published event once, in order, after the current state; and the same on both processes.
    expect(a.slice(1)).toEqual(published);
    expect(b.slice(1)).toEqual(published);
    // The first is each process's own read of the row: same state, its own timestamp.
    expect({ ...b[0], at: 0 }).toEqual({ ...a[0], at: 0 });
    expect(new Set(a.map((e) => JSON.stringify(e))).size).toBe(a.length);
    expect(a.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 1 });
    expect(a.some((e) => e.status === 'RUNNING')).toBe(true);
    const parent = await jobRow(cohort.db, parentId);
    expect(parent).toMatchObject({ status: 'COMPLETED', progress: 1 });
  }, 120_000);
});

describe('jobProgressStream', () => {
  it('delivers a change that lands while the current state is being read', async () => {
    const pubSub = createAppPubSub();
    const queued = {
      id: '00000000-0000-4000-8000-000000000001',
      kind: 'INFERENCE',
      status: 'QUEUED',
      progress: 0,
      stage: null,
      message: null,
      params: {},
      result: null,
      errorCode: null,
      errorMessage: null,
      attempts: 0,
      projectId: null,
      modelSetId: null,
      parentId: null,
      requestedById: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    } as JobRow;
    const completed = toMessage({ ...queued, status: 'COMPLETED', progress: 1, message: 'done' });
    const jobs = {
      // The job finishes (and its last event goes out) after the row was read but before the stream's consumer asks
      // for the next event: a stream that subscribed lazily would wait forever.
      get: async () => {
        queueMicrotask(() => pubSub.publish(TOPICS.JOB_PROGRESS, queued.id, completed));
        return queued;
      },
    };
    const ctx = { services: { pubSub, jobs }, viewer: { scope: { kind: 'all' } } } as unknown as RequestContext;
    const seen: JobProgressMessage[] = [];
    const stream = jobProgressStream(ctx, queued.id);
    const first = await stream.next();
    seen.push(first.value as JobProgressMessage);
    await new Promise((r) => setTimeout(r, 10));
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 1000));
    const second = await Promise.race([stream.next(), timeout]);
    expect(second).not.toBe('timeout');
    if (second !== 'timeout' && !second.done) seen.push(second.value);
    expect(seen.map((m) => m.status)).toEqual(['QUEUED', 'COMPLETED']);
    expect((await stream.next()).done).toBe(true);
  });
});
