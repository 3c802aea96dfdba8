// Serves the chosen BullMQ queues with the processors registered for them, and aborts a running job when
// any process asks to cancel it (a Redis channel every worker listens on).
import { Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { CANCEL_CHANNEL_SUFFIX } from './job-payload.js';
import type { QueueName } from './queue-names.js';

export type QueueProcessor = (job: BullJob, signal: AbortSignal) => Promise<unknown>;

export interface WorkerHostOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly queues: readonly QueueName[];
  readonly concurrency: number;
  readonly processors: Partial<Record<QueueName, QueueProcessor>>;
  readonly logger: Logger;
  /** How long a job's lock lives without renewal; a killed worker's job is taken over after about this long. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

export interface WorkerHost {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

export async function startWorkerHost(options: WorkerHostOptions): Promise<WorkerHost> {
  const missing = options.queues.filter((q) => !options.processors[q]);
  if (missing.length) throw new Error(`No processor is registered for queue(s): ${missing.join(', ')}`);
  const workers = options.queues.map((name) => {
    const processor = options.processors[name] as QueueProcessor;
    const worker = new Worker(name, (job, _token, signal) => processor(job, signal ?? new AbortController().signal), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    });
    worker.on('failed', (job, err) => options.logger.debug({ queue: name, jobId: job?.id, err: err.message }, 'bull job failed'));
    worker.on('error', (err) => options.logger.error({ queue: name, err: err.message }, 'worker error'));
    return worker;
  });

  const subscriber = options.connection.duplicate();
  subscriber.on('error', () => undefined);
  const channel = `${options.prefix}${CANCEL_CHANNEL_SUFFIX}`;
  await subscriber.subscribe(channel);
  subscriber.on('message', (ch: string, jobId: string) => {
    if (ch !== channel) return;
    for (const w of workers) if (w.cancelJob(jobId, 'cancelled by request')) options.logger.info({ jobId }, 'cancelling running job');
  });

  options.logger.info({ queues: options.queues, concurrency: options.concurrency }, 'worker serving queues');
  return {
    workers,
    async close() {
      subscriber.disconnect();
      // Worker.close waits for running jobs; SIGTERM's grace period bounds it (see runtime/shutdown.ts).
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
