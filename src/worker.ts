// Entry point of a worker process: serves the chosen queues until SIGTERM, finishing or releasing its jobs.
import { createAppPubSub, pubSubJobEvents } from './api/pubsub.js';
import type { Config } from './config.js';
import { openDatabase } from './db/client.js';
import type { Logger } from './logger.js';
import { JobQueues } from './queue/job-queues.js';
import { startJobReconciler } from './queue/job-reconciler.js';
import { createProcessors } from './queue/processors.js';
import type { QueueName } from './queue/queue-names.js';
import { createRedis } from './queue/redis-connection.js';
import { startWorkerHost } from './queue/worker-host.js';
import { useStorageRoots } from './services/storage/storage-uri.js';

export interface WorkerOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly queues: readonly QueueName[];
  readonly concurrency: number;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function runWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  useStorageRoots(config.storageRoots);
  const db = await openDatabase(config.database);
  const connection = createRedis(config.redis.url, 'worker');
  // Job events go out once, through the Redis-backed GraphQL pub/sub that every API replica listens to.
  const subscriber = connection.duplicate();
  subscriber.on('error', () => undefined);
  const events = pubSubJobEvents(createAppPubSub({ publish: connection, subscribe: subscriber, prefix: config.redis.prefix }));
  const { processors, store, close: closeProcessors } = createProcessors({ config, db, logger, events });
  const host = await startWorkerHost({
    connection,
    prefix: config.redis.prefix,
    queues: options.queues,
    concurrency: options.concurrency,
    processors,
    logger,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
  });
  const queues = new JobQueues(connection, config.redis.prefix);
  const reconciler = startJobReconciler({
    db,
    store,
    queues,
    intervalMs: config.worker.reconcileIntervalMs,
    graceMs: config.worker.lostJobGraceMs,
    logger,
  });
  return {
    async stop() {
      await reconciler.stop();
      await host.close();
      await queues.close();
      await closeProcessors();
      subscriber.disconnect();
      connection.disconnect();
      await db.close();
    },
  };
}
