// Entry point of the API process: wires config, database, Redis, pub/sub, schema and HTTP together.
import { assertServable, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { createAppPubSub, pubSubJobEvents } from './api/pubsub.js';
import { startApiServer, type RunningApiServer } from './http/api-server.js';
import type { Logger } from './logger.js';
import { createRedis } from './queue/redis-connection.js';
import { buildAppSchema } from './resolvers/build-schema.js';
import type { Redis } from 'ioredis';
import { JobQueues } from './queue/job-queues.js';
import { createJobHandlers } from './queue/job-handlers.js';
import { InProcessJobRunner } from './queue/in-process-runner.js';
import { JobStore } from './services/job-store.js';
import { JobService } from './services/jobs.service.js';
import { JobStarts } from './services/job-starts.js';
import type { AppServices } from './api/services.js';
import type { Viewer } from './auth/viewer.js';
import type { RequestContext } from './api/context.js';
import { auditPlugin } from './api/audit-plugin.js';
import {
  createAliasLimitRule,
  createComplexityPlugin,
  createComplexityRule,
  createDepthLimitRule,
  createMutationRateLimitPlugin,
  createRateLimiter,
  createRedisRateLimiter,
} from './api/limits/index.js';
import { assertAuthModeAllowed } from './auth/auth-mode.js';
import { createAuthenticator } from './auth/authenticate.js';
import { mountBullBoard } from './http/admin-routes.js';
import { adminSession } from './http/admin-session.js';
import { exportRoutes } from './http/export-routes.js';
import { srRoutes } from './http/sr-routes.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { scopedImageRoutes } from './http/scoped-image-routes.js';
import { createApiMetrics } from './http/metrics.js';
import type { Request } from 'express';
import { useStorageRoots } from './services/storage/storage-uri.js';

export interface ServeOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** An already open database (the demo shares its own); opened from config otherwise. */
  readonly db?: Database;
  /** false: no Redis at all (the embedded demo): in-memory pub/sub and in-process jobs, whatever JOB_MODE says. */
  readonly useRedis?: boolean;
  readonly port?: number;
}

export interface RunningServer {
  readonly api: RunningApiServer;
  readonly db: Database;
  readonly services: AppServices;
  /** Where jobs run: BullMQ workers on Redis, or this process. */
  readonly jobMode: 'queue' | 'in-process';
  stop(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { config, logger } = options;
  assertServable(config);
  assertAuthModeAllowed(config);
  // Every stored instance path is relative to one of these (services/storage/storage-uri.ts).
  useStorageRoots(config.storageRoots);
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase(config.database));
  const jobMode = options.useRedis === false ? 'in-process' : config.jobs.mode;
  let redis: { publish: Redis; subscribe: Redis } | undefined;
  if (jobMode === 'queue') {
    redis = { publish: createRedis(config.redis.url, 'api'), subscribe: createRedis(config.redis.url, 'worker') };
  }
  const pubSub = createAppPubSub(redis ? { ...redis, prefix: config.redis.prefix } : undefined);
  const schema = await buildAppSchema(pubSub);
  const queues = redis ? new JobQueues(redis.publish, config.redis.prefix) : null;
  const store = new JobStore(db, pubSubJobEvents(pubSub));
  // In-process mode: this process runs the jobs itself, with the workers' handlers, and resumes what it left.
  const inProcess = jobMode === 'in-process' ? createJobHandlers({ config, db }) : null;
  const runner = inProcess ? new InProcessJobRunner({ db, store, handlers: inProcess.handlers, logger }) : null;
  await runner?.resume();
  const jobs = new JobService(store, queues ?? runner);
  const services: AppServices = { pubSub, jobs, starts: new JobStarts(db, config, jobs) };
  const readiness = [
    { name: 'database', check: () => db.ping() },
    ...(redis ? [{ name: 'redis', check: async () => void (await redis.publish.ping()) }] : []),
  ];
  const metrics = createApiMetrics(db, queues);
  const authenticator = createAuthenticator(db, config.auth);
  const viewerOf = (req: Request): Promise<Viewer> => authenticator.fromAuthorizationHeader(req.headers.authorization);
  const viewerOfConnection = (params: Readonly<Record<string, unknown>> | undefined): Promise<Viewer> =>
    authenticator.fromConnectionParams(params);
  const limits = { maxComplexity: config.graphql.maxComplexity, maxListSize: config.graphql.maxPageSize };
  // Shared by every replica through Redis when there is one; each process's own window otherwise (and as fallback).
  const localLimiter = createRateLimiter({ perMinute: config.graphql.mutationRatePerMinute });
  const mutationLimiter = redis
    ? createRedisRateLimiter({
        redis: redis.publish,
        prefix: config.redis.prefix,
        name: 'mutations',
        perMinute: config.graphql.mutationRatePerMinute,
        fallback: localLimiter,
      })
    : localLimiter;
  const admin = adminSession({
    db,
    viewerOf,
    secrets: [config.patientKeySecret, config.auth.secret ?? ''],
    secureCookie: config.isProduction,
  });
  const api = await startApiServer({
    config,
    db,
    logger,
    schema,
    services,
    readiness,
    readinessDetails: { jobs: jobMode },
    port: options.port,
    viewerOf,
    viewerOfConnection,
    plugins: [
      metrics.graphqlPlugin,
      createComplexityPlugin<RequestContext>(limits),
      createMutationRateLimitPlugin<RequestContext>(mutationLimiter, (ctx) => ctx.viewer.userId ?? ctx.viewer.email),
      auditPlugin(db),
    ],
    validationRules: [
      createDepthLimitRule(config.graphql.maxDepth),
      createAliasLimitRule(config.graphql.maxAliases),
      createComplexityRule(limits),
    ],
    mountRoutes: (app) => {
      app.use(metrics.router({ token: config.metricsToken, open: !config.isProduction }));
      app.use(exportRoutes(db, viewerOf));
      app.use(srRoutes(db, config, viewerOf));
      app.use(scopedImageRoutes(db, viewerOf, logger));
      app.use(dashboardRoutes());
      app.use(admin.router);
      if (queues) mountBullBoard(app, queues, admin.guard);
    },
  });
  logger.info({ jobs: jobMode }, jobMode === 'in-process' ? 'jobs run in this process (no Redis)' : 'jobs run on BullMQ workers');
  return {
    api,
    db,
    services,
    jobMode,
    async stop() {
      await api.close();
      await runner?.close();
      await inProcess?.close();
      await queues?.close();
      if (redis) {
        redis.publish.disconnect();
        redis.subscribe.disconnect();
      }
      if (ownsDb) await db.close();
    },
  };
}
