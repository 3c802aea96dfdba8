// Entry point of the API process: wires config, database, Redis, pub/sub, schema and HTTP together.
import { assertServable, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { createAppPubSub } from './api/pubsub.js';
import { startApiServer, type RunningApiServer } from './http/api-server.js';
import type { Logger } from './logger.js';
import { createRedis } from './queue/redis-connection.js';
import { buildAppSchema } from './schema/build-schema.js';
import type { Redis } from 'ioredis';
import { JobQueues } from './queue/job-queues.js';
import { pubSubJobEvents } from './services/job-events.js';
import { JobStore } from './services/job-store.js';
import { JobService } from './services/jobs.service.js';
import type { AppServices } from './api/services.js';

export interface ServeOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** An already open database (the demo shares its own); opened from config otherwise. */
  readonly db?: Database;
  /** false: no Redis at all (the embedded demo): in-memory pub/sub, job mutations unavailable. */
  readonly useRedis?: boolean;
  readonly port?: number;
}

export interface RunningServer {
  readonly api: RunningApiServer;
  readonly db: Database;
  readonly services: AppServices;
  stop(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { config, logger } = options;
  assertServable(config);
  if (config.auth.mode === 'off' && !isLoopback(config.http.host)) {
    throw new Error(
      `AUTH_MODE=off is for local use only and refuses to listen on ${config.http.host}; set HOST=127.0.0.1 or configure JWT auth`,
    );
  }
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase(config.database));
  let redis: { publish: Redis; subscribe: Redis } | undefined;
  if (options.useRedis !== false) {
    redis = { publish: createRedis(config.redis.url, 'api'), subscribe: createRedis(config.redis.url, 'worker') };
  }
  const pubSub = createAppPubSub(redis ? { ...redis, prefix: config.redis.prefix } : undefined);
  const schema = await buildAppSchema(pubSub);
  const queues = redis ? new JobQueues(redis.publish, config.redis.prefix) : null;
  const services: AppServices = { pubSub, jobs: new JobService(db, new JobStore(db, pubSubJobEvents(pubSub)), queues) };
  const readiness = [
    { name: 'database', check: () => db.ping() },
    ...(redis ? [{ name: 'redis', check: async () => void (await redis.publish.ping()) }] : []),
  ];
  const api = await startApiServer({ config, db, logger, schema, services, readiness, port: options.port });
  return {
    api,
    db,
    services,
    async stop() {
      await api.close();
      await queues?.close();
      if (redis) {
        redis.publish.disconnect();
        redis.subscribe.disconnect();
      }
      if (ownsDb) await db.close();
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
