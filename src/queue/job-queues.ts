// The producer side of the queues: adds jobs (and cohort flows), removes queued ones, asks workers to cancel.
import { FlowProducer, Queue, type Job as BullJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { unavailable } from '../domain/errors.js';
import type { JobKind } from '../domain/job.js';
import type { JobQueuePort } from '../services/jobs.service.js';
import { CANCEL_CHANNEL_SUFFIX, type QueuePayload } from './job-payload.js';
import { ALL_QUEUES, QUEUE_OF_KIND, type QueueName } from './queue-names.js';

/** Transient failures retry with exponential backoff; training and quantization are too costly to repeat blindly. */
export const ATTEMPTS: Readonly<Record<JobKind, number>> = { IMPORT: 3, INFERENCE: 3, TRAINING: 1, QUANTIZE: 1 };

function jobOptions(kind: JobKind, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: ATTEMPTS[kind],
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export interface QueueCounts {
  readonly queue: QueueName;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  readonly completed: number;
}

export type QueueEntry =
  | { readonly state: 'missing' }
  | { readonly state: 'failed'; readonly failedReason: string }
  | { readonly state: Exclude<Awaited<ReturnType<BullJob['getState']>>, 'failed'> };

export class JobQueues implements JobQueuePort {
  private readonly queues: ReadonlyMap<QueueName, Queue>;
  private readonly flows: FlowProducer;

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = new Map(ALL_QUEUES.map((name) => [name, new Queue(name, { connection, prefix })]));
    this.flows = new FlowProducer({ connection, prefix });
    // Connection errors surface where they matter (assertAvailable, /readyz); unhandled they would be printed raw.
    for (const q of this.queues.values()) q.on('error', () => undefined);
    this.flows.on('error', () => undefined);
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name) as Queue;
  }

  /** Fails fast with SERVICE_UNAVAILABLE when Redis does not answer, before anything is written. */
  async assertAvailable(timeoutMs = 1500): Promise<void> {
    try {
      await Promise.race([
        this.connection.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
    } catch (e) {
      throw unavailable('The job queue (Redis) is not reachable; try again shortly', e);
    }
  }

  async add(kind: JobKind, jobId: string): Promise<void> {
    const payload: QueuePayload = { jobId, kind, role: 'single' };
    await this.queue(QUEUE_OF_KIND[kind]).add(kind.toLowerCase(), payload, jobOptions(kind, jobId));
  }

  /** A parent processed after all its children; a failed child fails only itself. */
  async addFlow(kind: JobKind, parentId: string, childIds: readonly string[]): Promise<void> {
    const queueName = QUEUE_OF_KIND[kind];
    await this.flows.add({
      name: `${kind.toLowerCase()}-cohort`,
      queueName,
      data: { jobId: parentId, kind, role: 'parent' } satisfies QueuePayload,
      opts: { ...jobOptions(kind, parentId), attempts: 1 },
      children: childIds.map((id) => ({
        name: kind.toLowerCase(),
        queueName,
        data: { jobId: id, kind, role: 'child' } satisfies QueuePayload,
        opts: { ...jobOptions(kind, id), ignoreDependencyOnFailure: true },
      })),
    });
  }

  /** Removes a job that no worker holds yet; false when it is running (or gone). */
  async removeIfWaiting(kind: JobKind, jobId: string): Promise<boolean> {
    const job = await this.queue(QUEUE_OF_KIND[kind]).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'active') return false;
    try {
      await job.remove({ removeChildren: true });
      return true;
    } catch {
      // A worker took it between the state read and the remove.
      return false;
    }
  }

  /** What the queue holds for a job: its BullMQ state (with the reason when it failed), or `missing`. */
  async entryOf(kind: JobKind, jobId: string): Promise<QueueEntry> {
    const job = await this.queue(QUEUE_OF_KIND[kind]).getJob(jobId);
    if (!job) return { state: 'missing' };
    const state = await job.getState();
    return state === 'failed' ? { state, failedReason: job.failedReason ?? '' } : { state };
  }

  /** Every worker hears this; the one running the job aborts it through its AbortSignal. */
  async requestCancel(jobId: string): Promise<void> {
    await this.connection.publish(`${this.prefix}${CANCEL_CHANNEL_SUFFIX}`, jobId);
  }

  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      ALL_QUEUES.map(async (queue) => {
        const c = await this.queue(queue).getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'completed',
          'prioritized',
          'waiting-children',
        );
        return {
          queue,
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
