// Prometheus metrics at /metrics: queue depth, job outcomes and durations by kind, inference stage timings,
// GraphQL request latency. One registry per server so tests can run several in a process.
import type { ApolloServerPlugin } from '@apollo/server';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import express from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import type { JobQueues } from '../queue/job-queues.js';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly graphqlPlugin: ApolloServerPlugin;
  /** GET /metrics: behind `token` (a bearer token) when given; not served at all when `token` is null and `open` false. */
  router(access: { readonly token: string | null; readonly open: boolean }): Router;
}

export function createApiMetrics(db: Database, queues: JobQueues | null): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'spinegraph_' });
  const latency = new Histogram({
    name: 'spinegraph_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation type and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'spinegraph_queue_jobs',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!queues) return;
      try {
        for (const c of await queues.counts())
          for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'] as const)
            this.set({ queue: c.queue, state }, c[state]);
      } catch {
        // Redis down: the gauge keeps its last values; /readyz reports the outage.
      }
    },
  } as ConstructorParameters<typeof Gauge<'queue' | 'state'>>[0]);
  new Gauge({
    name: 'spinegraph_jobs_finished',
    help: 'Finished jobs by kind and status (from the Job table, the record)',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      const rows = await db.prisma.job.groupBy({ by: ['kind', 'status'], _count: { _all: true } });
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, r._count._all);
    },
  } as ConstructorParameters<typeof Gauge<'kind' | 'status'>>[0]);
  new Gauge({
    name: 'spinegraph_job_duration_seconds_avg',
    help: 'Mean duration of finished jobs by kind and status, last 24 h',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      const rows = await db.sql.query<{ kind: string; status: string; s: number }>(
        `SELECT kind::text, status::text, avg(extract(epoch FROM "finishedAt" - "startedAt"))::float8 AS s FROM "Job"
         WHERE "finishedAt" > now() - interval '24 hours' AND "startedAt" IS NOT NULL GROUP BY 1, 2`,
      );
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.s));
    },
  } as ConstructorParameters<typeof Gauge<'kind' | 'status'>>[0]);
  new Gauge({
    name: 'spinegraph_inference_stage_ms_avg',
    help: 'Mean per-study busy milliseconds by pipeline stage over the last 50 inference jobs',
    labelNames: ['stage'],
    registers: [registry],
    async collect() {
      const rows = await db.sql.query<{ stage: string; ms: number }>(
        `SELECT kv.key AS stage, avg(kv.value::float8) AS ms FROM
           (SELECT result FROM "Job" WHERE kind = 'INFERENCE' AND status = 'COMPLETED' AND "parentId" IS NOT NULL ORDER BY "finishedAt" DESC LIMIT 50) j,
           jsonb_each_text(j.result -> 'stagesMs') kv GROUP BY 1`,
      );
      this.reset();
      for (const r of rows) this.set({ stage: r.stage }, Number(r.ms));
    },
  } as ConstructorParameters<typeof Gauge<'stage'>>[0]);

  const graphqlPlugin: ApolloServerPlugin = {
    async requestDidStart() {
      const end = latency.startTimer();
      return {
        async willSendResponse(ctx) {
          const operation = ctx.operation?.operation ?? 'unknown';
          end({ operation, outcome: ctx.errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
  return {
    registry,
    graphqlPlugin,
    router(access) {
      const r = express.Router();
      r.get('/metrics', async (req, res, next) => {
        if (access.token === null && !access.open) return next(); // not served: the usual 404
        if (access.token !== null && !bearerMatches(req.headers.authorization, access.token)) {
          res.setHeader('www-authenticate', 'Bearer');
          res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'The metrics token is required' } });
          return;
        }
        res.setHeader('content-type', registry.contentType);
        res.send(await registry.metrics());
      });
      return r;
    },
  };
}

/** Constant-time comparison of `Authorization: Bearer <token>` with the expected token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
