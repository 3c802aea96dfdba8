import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createAppPubSub } from '../api/pubsub.js';
import { pubSubJobEvents } from '../services/job-events.js';
import { JobStore } from '../services/job-store.js';
import { importHandler } from './handlers/import.handler.js';
import { inferenceHandler, ModelSetCache } from './handlers/inference.handler.js';
import { trainingHandler } from './handlers/training.handler.js';
import { createJobProcessor } from './job-runner.js';
import type { QueueName } from './queue-names.js';
import type { QueueProcessor } from './worker-host.js';

export interface ProcessorDeps {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly connection: Redis;
}

export interface Processors {
  readonly processors: Record<QueueName, QueueProcessor>;
  /** The store the processors write Job rows through (its events reach every API replica). */
  readonly store: JobStore;
  close(): Promise<void>;
}

/** The processor of each queue; events go out once, through the Redis-backed GraphQL pub/sub. */
export function createProcessors(deps: ProcessorDeps): Processors {
  const subscriber = deps.connection.duplicate();
  subscriber.on('error', () => undefined);
  const pubSub = createAppPubSub({ publish: deps.connection, subscribe: subscriber, prefix: deps.config.redis.prefix });
  const store = new JobStore(deps.db, pubSubJobEvents(pubSub));
  const models = new ModelSetCache(deps.db, deps.config);
  return {
    store,
    processors: {
      import: createJobProcessor(store, importHandler(deps.db, deps.config), deps.logger),
      inference: createJobProcessor(store, inferenceHandler(deps.db, models), deps.logger),
      training: createJobProcessor(store, trainingHandler(deps), deps.logger),
    },
    async close() {
      await models.close();
      subscriber.disconnect();
    },
  };
}
