// Subscription events carry their payload (issue 20 item 5): one job event fanned out to many WebSocket
// subscribers (jobProgress and jobUpdated, real server, real Redis channel) costs no database query per subscriber.
// Every SQL statement the process sends goes through pg's Client.prototype.query (Prisma's pg adapter and the raw
// pool alike), so counting its calls during the fan-out catches a resolver or stream that reads the job per event.
// Prisma merges concurrent findUnique calls into one statement, so a per-subscriber read can show as a single SQL
// query whatever the number of subscribers: JobStore.find (every job read of the services) is counted as well.
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppPubSub, pubSubJobEvents, type AppPubSub } from '../../src/api/pubsub.js';
import type { RunningServer } from '../../src/server.js';
import { ensureProject } from '../../src/services/projects.service.js';
import type { JobEventSink } from '../../src/services/job-events.js';
import { JobStore, toUpdatedMessage } from '../../src/services/job-store.js';
import { record, startApi, wsClient, type Recording } from '../support/job-api.js';
import { waitFor } from '../support/job-cohort.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';

const prefix = uniquePrefix();
let tdb: TestDatabase;
let api: RunningServer;
let jobId: string;
// The worker's side: events published once on the Redis channel, as src/worker.ts wires it.
let publisher: { pubSub: AppPubSub; events: JobEventSink; clients: Redis[] };
const clients: Client[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  const project = await ensureProject(tdb.db);
  const job = await tdb.db.prisma.job.create({
    data: { kind: 'INFERENCE', status: 'RUNNING', params: {}, projectId: project.id, startedAt: new Date() },
  });
  jobId = job.id;
  api = await startApi({ db: tdb.db, databaseUrl: tdb.url, prefix });
  const redisClients = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
  const pubSub = createAppPubSub({ publish: redisClients[0], subscribe: redisClients[1], prefix });
  publisher = { pubSub, events: pubSubJobEvents(pubSub), clients: redisClients };
});

afterAll(async () => {
  vi.restoreAllMocks();
  for (const c of clients) await c.dispose();
  await api?.stop();
  for (const r of publisher?.clients ?? []) r.disconnect();
  await tdb?.drop();
  await deleteKeysWithPrefix(prefix);
});

const PROGRESS = 'subscription($id: ID!) { jobProgress(jobId: $id) { jobId status progress } }';
const UPDATED = 'subscription { jobUpdated(kind: INFERENCE) { id status progress } }';

/** Publishes a status change of the job with this progress, as the worker's runner does (both topics). */
async function publishChange(progress: number): Promise<void> {
  const row = await tdb.db.prisma.job.update({ where: { id: jobId }, data: { progress } });
  publisher.events.statusChanged(toUpdatedMessage(row));
}

const sawProgress = (r: Recording<number>, progress: number): boolean => r.events.some((e) => e.data === progress);

/**
 * Opens `n` sockets, each with a jobProgress and a jobUpdated subscription, waits until every one of them receives
 * events, then returns the SQL statements sent and the job reads made while one more change fans out to all 2n
 * subscriptions.
 */
async function readsDuringFanOut(n: number, round: number): Promise<{ sql: string[]; jobReads: number }> {
  const recordings: Recording<number>[] = [];
  for (let i = 0; i < n; i++) {
    const client = wsClient(api);
    clients.push(client);
    recordings.push(record(client, PROGRESS, { id: jobId }, (d) => (d.jobProgress as { progress: number }).progress));
    recordings.push(record(client, UPDATED, {}, (d) => (d.jobUpdated as { progress: number }).progress));
  }
  // Warm up until every subscription is live on the Redis channel (subscribing is asynchronous): its snapshot read
  // (jobProgress reads the row once, at subscribe time) and the channel registration are behind us.
  const warmBase = round / 10;
  const isWarmUp = (progress: number): boolean => progress >= warmBase && progress < warmBase + 0.1;
  let step = 0;
  await waitFor(
    `${n} subscribers live`,
    async () => {
      step += 1;
      await publishChange(warmBase + step / 10_000);
      await new Promise((r) => setTimeout(r, 100));
      return recordings.every((r) => r.events.some((e) => isWarmUp(e.data))) ? true : undefined;
    },
    30_000,
    0,
  );
  await new Promise((r) => setTimeout(r, 300));

  const row = await tdb.db.prisma.job.update({ where: { id: jobId }, data: { progress: 0.5 + round / 100 } });
  const measured = row.progress;
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  const jobReads = vi.spyOn(JobStore.prototype, 'find');
  try {
    publisher.events.statusChanged(toUpdatedMessage(row));
    await waitFor(
      'every subscriber to get the change',
      async () => (recordings.every((r) => sawProgress(r, measured)) ? true : undefined),
      20_000,
      20,
    );
    // Room for any read that trails the delivery.
    await new Promise((r) => setTimeout(r, 300));
    return {
      sql: spy.mock.calls.map(([query]) => (typeof query === 'string' ? query : String((query as { text?: string }).text))),
      jobReads: jobReads.mock.calls.length,
    };
  } finally {
    spy.mockRestore();
    jobReads.mockRestore();
    for (const r of recordings) r.stop();
  }
}

describe('subscription fan-out', () => {
  it('sends one event to 1 and to 12 subscribers per topic without a database query per subscriber', async () => {
    const one = await readsDuringFanOut(1, 1);
    const many = await readsDuringFanOut(12, 2);
    // The payload is in the event: no read at all while it fans out, whatever the number of subscribers.
    expect({ sql: many.sql.length, jobReads: many.jobReads }, `SQL for 12 subscribers: ${many.sql.join(' | ')}`).toEqual({
      sql: one.sql.length,
      jobReads: one.jobReads,
    });
    expect(many).toEqual({ sql: [], jobReads: 0 });
  }, 120_000);
});
