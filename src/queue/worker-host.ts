// Serves the chosen BullMQ queues with the processors registered for them.
import { Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { QueueName } from './queue-names.js';

export type QueueProcessor = (job: BullJob, signal: AbortSignal) => Promise<unknown>;

export interface WorkerHostOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly queues: readonly QueueName[];
  readonly concurrency: number;
  readonly processors: Partial<Record<QueueName, QueueProcessor>>;
  readonly logger: Logger;
}

export interface WorkerHost {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

export function startWorkerHost(options: WorkerHostOptions): WorkerHost {
  const missing = options.queues.filter((q) => !options.processors[q]);
  if (missing.length) throw new Error(`No processor is registered for queue(s): ${missing.join(', ')}`);
  const workers = options.queues.map((name) => {
    const processor = options.processors[name] as QueueProcessor;
    const worker = new Worker(name, (job, _token, signal) => processor(job, signal ?? new AbortController().signal), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
    });
    worker.on('failed', (job, err) => options.logger.warn({ queue: name, jobId: job?.id, err: err.message }, 'job failed'));
    worker.on('error', (err) => options.logger.error({ queue: name, err: err.message }, 'worker error'));
    return worker;
  });
  options.logger.info({ queues: options.queues, concurrency: options.concurrency }, 'worker serving queues');
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
