import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { QueueName } from './queue-names.js';
import type { QueueProcessor } from './worker-host.js';

export interface ProcessorDeps {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly connection: Redis;
}

/** The processor of each queue; a queue served without one is refused at start-up. */
export function createProcessors(_deps: ProcessorDeps): Partial<Record<QueueName, QueueProcessor>> {
  return {};
}
