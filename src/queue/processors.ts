import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { JobEventSink } from '../services/job-events.js';
import { JobStore } from '../services/job-store.js';
import { createJobHandlers } from './job-handlers.js';
import { createJobProcessor } from './job-runner.js';
import type { QueueName } from './queue-names.js';
import type { QueueProcessor } from './worker-host.js';

export interface ProcessorDeps {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  /** Where Job changes are announced; the entry point wires the implementation (the GraphQL pub/sub). */
  readonly events: JobEventSink;
}

export interface Processors {
  readonly processors: Record<QueueName, QueueProcessor>;
  /** The store the processors write Job rows through (its events reach every API replica). */
  readonly store: JobStore;
  close(): Promise<void>;
}

/** The processor of each queue; every Job write goes through one store, so each change is announced once. */
export function createProcessors(deps: ProcessorDeps): Processors {
  const store = new JobStore(deps.db, deps.events);
  const { handlers, close } = createJobHandlers(deps);
  return {
    store,
    processors: {
      import: createJobProcessor(store, handlers.IMPORT, deps.logger),
      inference: createJobProcessor(store, handlers.INFERENCE, deps.logger),
      training: createJobProcessor(store, handlers.TRAINING, deps.logger),
      quantize: createJobProcessor(store, handlers.QUANTIZE, deps.logger),
    },
    async close() {
      await close();
    },
  };
}
