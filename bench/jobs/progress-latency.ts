// Latency from a runInference mutation (HTTP) to the job's events at a WebSocket subscriber that was already
// subscribed to jobUpdated: the first event (the API's own QUEUED, through Redis) and the first event a worker in
// another process publishes (RUNNING). One API process, one warm worker, one study per run, runs one after another.
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { record, runInferenceMutation, startApi, wsClient } from '../../tests/support/job-api.js';
import { startWorkerProcess } from '../../tests/support/worker-process.js';
import { summarise, type TimingSummary } from '../support/stats.js';
import { deleteKeys } from './redis-keys.js';

export interface LatencyResult {
  readonly runs: number;
  /** The mutation's HTTP round trip. */
  readonly mutation: TimingSummary;
  /** Mutation sent -> first event of the job at the subscriber. */
  readonly firstEvent: TimingSummary;
  /** Mutation sent -> first event published by the worker process (the job RUNNING) at the subscriber. */
  readonly firstWorkerEvent: TimingSummary;
}

interface Update {
  id: string;
  status: string;
  parentId: string | null;
}

const JOB_UPDATED = 'subscription { jobUpdated(kind: INFERENCE) { id status parentId } }';

export async function measureProgressLatency(args: {
  readonly db: Database;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly studyIds: readonly string[];
  readonly runs: number;
  readonly warmup: number;
  readonly log: (message: string) => void;
}): Promise<LatencyResult> {
  const prefix = `sgbench-${randomBytes(4).toString('hex')}`;
  const api = await startApi({ db: args.db, databaseUrl: args.databaseUrl, prefix, redisUrl: args.redisUrl });
  const worker = await startWorkerProcess({ databaseUrl: args.databaseUrl, redisUrl: args.redisUrl, prefix, readyTimeoutMs: 120_000 });
  const client = wsClient(api);
  const updates = record<Update>(client, JOB_UPDATED, {}, (d) => d.jobUpdated as Update);
  try {
    // Warm-up runs (awaited through the database) also give the subscription time to go live: jobUpdated has no
    // "current state" event that would say when it is.
    for (let i = 0; i < args.warmup; i++) {
      const res = await runInferenceMutation(api, [args.studyIds[i % args.studyIds.length]]);
      const id = res.data?.runInference.id;
      if (!id) throw new Error(`runInference failed: ${JSON.stringify(res.errors)}`);
      while ((await args.db.prisma.job.findUniqueOrThrow({ where: { id } })).status !== 'COMPLETED')
        await new Promise((r) => setTimeout(r, 50));
    }
    const mutation: number[] = [];
    const firstEvent: number[] = [];
    const firstWorkerEvent: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const seenBefore = updates.events.length;
      const sent = performance.now();
      const res = await runInferenceMutation(api, [args.studyIds[i % args.studyIds.length]]);
      const returned = performance.now();
      const parentId = res.data?.runInference.id;
      if (!parentId) throw new Error(`runInference failed: ${JSON.stringify(res.errors)}`);
      const mine = () => updates.events.slice(seenBefore).filter((e) => e.data.id === parentId || e.data.parentId === parentId);
      const deadline = Date.now() + 60_000;
      while (!mine().some((e) => e.data.id === parentId && e.data.status === 'COMPLETED')) {
        if (Date.now() > deadline) throw new Error(`job ${parentId}: no COMPLETED event within 60 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const events = mine();
      const worker = events.find((e) => e.data.status === 'RUNNING');
      if (!worker) throw new Error(`job ${parentId}: no RUNNING event reached the subscriber`);
      mutation.push(returned - sent);
      firstEvent.push(events[0].receivedAt - sent);
      firstWorkerEvent.push(worker.receivedAt - sent);
    }
    args.log(`latency: ${args.runs} runs, first worker event p50 ${summarise(firstWorkerEvent).p50.toFixed(1)} ms`);
    return {
      runs: args.runs,
      mutation: summarise(mutation),
      firstEvent: summarise(firstEvent),
      firstWorkerEvent: summarise(firstWorkerEvent),
    };
  } finally {
    updates.stop();
    await client.dispose();
    await worker.stop();
    await api.stop();
    await deleteKeys(args.redisUrl, `${prefix}:`);
  }
}
