// Queue overhead: how many do-nothing jobs per second the queue moves, first bare BullMQ (a no-op processor on the
// worker host), then the whole job lifecycle of this project (Job row created, RUNNING, COMPLETED, an event per
// change on the Redis pub/sub) around a no-op handler.
import { randomBytes, randomUUID } from 'node:crypto';
import { createAppPubSub, pubSubJobEvents } from '../../src/api/pubsub.js';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import type { QueuePayload } from '../../src/queue/job-payload.js';
import { JobQueues } from '../../src/queue/job-queues.js';
import { createJobProcessor } from '../../src/queue/job-runner.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { startWorkerHost, type QueueProcessor } from '../../src/queue/worker-host.js';
import { NO_JOB_EVENTS } from '../../src/services/job-events.js';
import { JobStore } from '../../src/services/job-store.js';
import { JobService } from '../../src/services/jobs.service.js';
import { deleteKeys } from './redis-keys.js';

const logger = createLogger('silent');

export interface RateResult {
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
}

export interface DrainResult extends RateResult {
  readonly concurrency: number;
}

export interface QueueOverheadResult {
  /** JobQueues.add, one awaited call after another (what a mutation does). */
  readonly enqueueOneByOne: RateResult;
  /** Queue.addBulk in one call. */
  readonly enqueueBulk: RateResult;
  /** A no-op BullMQ processor draining a full queue. */
  readonly bareDrain: readonly DrainResult[];
  /** JobService.start: Redis ping, Job row insert, queue add, one event. */
  readonly lifecycleStart: RateResult;
  /** createJobProcessor around a no-op handler: row reads and writes and an event per state change. */
  readonly lifecycleDrain: readonly DrainResult[];
  /** JobService.startFlow of one cohort: parent + child rows, one FlowProducer.add (what runInference does). */
  readonly flowStart: { readonly children: number; readonly seconds: number };
}

const rate = (jobs: number, ms: number): RateResult => ({ jobs, seconds: ms / 1000, jobsPerSecond: jobs / (ms / 1000) });

/** Starts a worker host with `processor` and resolves when it has completed `jobs` jobs. */
async function drain(redisUrl: string, prefix: string, processor: QueueProcessor, jobs: number, concurrency: number): Promise<DrainResult> {
  const connection = createRedis(redisUrl, 'worker');
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const started = performance.now();
  const host = await startWorkerHost({
    connection,
    prefix,
    queues: ['inference'],
    concurrency,
    processors: { inference: processor },
    logger,
  });
  for (const w of host.workers)
    w.on('completed', () => {
      if (++done === jobs) finish();
    });
  await finished;
  const ms = performance.now() - started;
  await host.close();
  connection.disconnect();
  return { ...rate(jobs, ms), concurrency };
}

function payload(): QueuePayload {
  return { jobId: randomUUID(), kind: 'INFERENCE', role: 'single' };
}

async function bare(
  redisUrl: string,
  base: string,
  jobs: number,
  concurrencies: readonly number[],
): Promise<Pick<QueueOverheadResult, 'enqueueOneByOne' | 'enqueueBulk' | 'bareDrain'>> {
  const connection = createRedis(redisUrl, 'worker');
  const noop: QueueProcessor = async () => null;
  try {
    const single = new JobQueues(connection, `${base}-single`);
    const oneByOneJobs = Math.min(jobs, 1000);
    let t = performance.now();
    for (let i = 0; i < oneByOneJobs; i++) await single.add('INFERENCE', randomUUID());
    const enqueueOneByOne = rate(oneByOneJobs, performance.now() - t);
    await single.close();

    const bareDrain: DrainResult[] = [];
    let enqueueBulk: RateResult | undefined;
    for (const concurrency of concurrencies) {
      const prefix = `${base}-bare-c${concurrency}`;
      const queues = new JobQueues(connection, prefix);
      t = performance.now();
      await queues
        .queue('inference')
        .addBulk(Array.from({ length: jobs }, () => ({ name: 'inference', data: payload(), opts: { removeOnComplete: true } })));
      enqueueBulk ??= rate(jobs, performance.now() - t);
      await queues.close();
      bareDrain.push(await drain(redisUrl, prefix, noop, jobs, concurrency));
    }
    return { enqueueOneByOne, enqueueBulk: enqueueBulk as RateResult, bareDrain };
  } finally {
    connection.disconnect();
  }
}

async function lifecycle(
  db: Database,
  redisUrl: string,
  base: string,
  jobs: number,
  concurrencies: readonly number[],
): Promise<Pick<QueueOverheadResult, 'lifecycleStart' | 'lifecycleDrain'>> {
  const lifecycleDrain: DrainResult[] = [];
  let lifecycleStart: RateResult | undefined;
  for (const concurrency of concurrencies) {
    const prefix = `${base}-life-c${concurrency}`;
    const publish = createRedis(redisUrl, 'worker');
    const subscribe = publish.duplicate();
    const store = new JobStore(db, pubSubJobEvents(createAppPubSub({ publish, subscribe, prefix })));
    const queues = new JobQueues(publish, prefix);
    const service = new JobService(store, queues);
    // Do-nothing jobs that fit the INFERENCE contract; the model set id only marks them for the clean-up below.
    const noopSet = randomUUID();
    const noop = { params: { path: ['modelSetId'], equals: noopSet } };
    try {
      const t = performance.now();
      for (let i = 0; i < jobs; i++) await service.start('INFERENCE', { studyId: randomUUID(), modelSetId: noopSet }, {});
      lifecycleStart ??= rate(jobs, performance.now() - t);
      const processor = createJobProcessor(
        store,
        {
          kind: 'INFERENCE',
          run: async ({ params }) => ({
            ...params,
            externalId: 'noop',
            studies: 0,
            predictions: 0,
            keypoints: 0,
            fallbacks: {},
            stagesMs: {},
            wallMs: 0,
          }),
        },
        logger,
      );
      lifecycleDrain.push(await drain(redisUrl, prefix, processor, jobs, concurrency));
      const completed = await db.prisma.job.count({ where: { status: 'COMPLETED', ...noop } });
      if (completed < jobs) throw new Error(`only ${completed} of ${jobs} no-op job rows are COMPLETED`);
      await db.prisma.job.deleteMany({ where: noop });
    } finally {
      await queues.close();
      publish.disconnect();
      subscribe.disconnect();
    }
  }
  return { lifecycleStart: lifecycleStart as RateResult, lifecycleDrain };
}

async function flowStart(db: Database, redisUrl: string, prefix: string, children: number): Promise<QueueOverheadResult['flowStart']> {
  const connection = createRedis(redisUrl, 'worker');
  const queues = new JobQueues(connection, prefix);
  const service = new JobService(new JobStore(db, NO_JOB_EVENTS), queues);
  try {
    const t = performance.now();
    const parent = await service.startFlow(
      'INFERENCE',
      { modelSetId: randomUUID(), studyCount: children },
      Array.from({ length: children }, () => ({ studyId: randomUUID(), modelSetId: randomUUID() })),
      {},
    );
    const seconds = (performance.now() - t) / 1000;
    await db.prisma.job.deleteMany({ where: { OR: [{ id: parent.id }, { parentId: parent.id }] } });
    return { children, seconds };
  } finally {
    await queues.close();
    connection.disconnect();
  }
}

export async function measureQueueOverhead(args: {
  readonly db: Database;
  readonly redisUrl: string;
  readonly bareJobs: number;
  readonly lifecycleJobs: number;
  readonly concurrencies: readonly number[];
}): Promise<QueueOverheadResult> {
  const base = `sgbench-${randomBytes(4).toString('hex')}`;
  try {
    const b = await bare(args.redisUrl, base, args.bareJobs, args.concurrencies);
    const l = await lifecycle(args.db, args.redisUrl, base, args.lifecycleJobs, args.concurrencies);
    const f = await flowStart(args.db, args.redisUrl, `${base}-flow`, args.bareJobs);
    return { ...b, ...l, flowStart: f };
  } finally {
    await deleteKeys(args.redisUrl, `${base}-`);
  }
}
