// The API side of job tests: an in-process API server on a cohort's database and a chosen Redis and prefix,
// the job mutations as a client sends them, and graphql-ws subscriptions recorded with arrival times.
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { Database } from '../../src/db/client.js';
import { JobQueues, type QueueCounts } from '../../src/queue/job-queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { serve, type RunningServer } from '../../src/server.js';
import { gql, type GraphQLResponse } from './graphql-client.js';
import { silentLogger } from './silent-logger.js';
import { testConfig } from './test-config.js';
import { TEST_REDIS_URL } from './test-redis.js';

export interface ApiOptions {
  readonly db: Database;
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly redisUrl?: string;
}

export async function startApi(options: ApiOptions): Promise<RunningServer> {
  const config = testConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    QUEUE_PREFIX: options.prefix,
    MUTATION_RATE_LIMIT_PER_MINUTE: '100000',
  });
  return serve({ config, logger: silentLogger, db: options.db, port: 0 });
}

export interface JobFields {
  id: string;
  status: string;
  progress: number;
  attempts: number;
  error: { code: string; message: string } | null;
  result: unknown;
}

const JOB_FIELDS = 'id status progress attempts error { code message } result';

export async function runInferenceMutation(
  server: RunningServer,
  studyIds: readonly string[],
): Promise<GraphQLResponse<{ runInference: JobFields }>> {
  return gql<{ runInference: JobFields }>(
    server.api.url,
    `mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { ${JOB_FIELDS} } }`,
    { ids: studyIds },
  );
}

/** Starts a cohort inference and returns the parent job id, failing loudly on any GraphQL error. */
export async function startCohortInference(server: RunningServer, studyIds: readonly string[]): Promise<string> {
  const res = await runInferenceMutation(server, studyIds);
  if (res.errors?.length || !res.data) throw new Error(`runInference failed: ${JSON.stringify(res.errors)}`);
  return res.data.runInference.id;
}

export async function cancelJobMutation(server: RunningServer, id: string): Promise<GraphQLResponse<{ cancelJob: JobFields }>> {
  return gql<{ cancelJob: JobFields }>(server.api.url, `mutation($id: ID!) { cancelJob(id: $id) { ${JOB_FIELDS} } }`, { id });
}

export function wsUrl(server: RunningServer): string {
  return server.api.url.replace(/^http/, 'ws');
}

export function wsClient(server: RunningServer): Client {
  return createClient({ url: wsUrl(server), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

export interface ReceivedEvent<T> {
  readonly data: T;
  /** performance.now() at arrival. */
  readonly receivedAt: number;
}

export interface Recording<T> {
  readonly events: ReceivedEvent<T>[];
  /** Settles when the server completes the subscription; rejects on an error. */
  readonly done: Promise<void>;
  /** Resolves at the first event (or earlier arrivals already recorded). */
  firstEvent(): Promise<ReceivedEvent<T>>;
  stop(): void;
}

/** Subscribes and records every event the server sends, with its arrival time. */
export function record<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => T,
): Recording<T> {
  const events: ReceivedEvent<T>[] = [];
  const waiters: ((e: ReceivedEvent<T>) => void)[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolveDone, reject) => {
    stop = client.subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            reject(new Error(`subscription error: ${JSON.stringify(result.errors)}`));
            return;
          }
          const event = { data: pick(result.data ?? {}), receivedAt: performance.now() };
          events.push(event);
          for (const w of waiters.splice(0)) w(event);
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => resolveDone(),
      },
    );
  });
  return {
    events,
    done,
    firstEvent: () => (events.length ? Promise.resolve(events[0]) : new Promise((r) => waiters.push(r))),
    stop: () => stop(),
  };
}

/** BullMQ's own view of the inference queue under a prefix. */
export async function inferenceQueueCounts(redisUrl: string, prefix: string): Promise<QueueCounts> {
  const connection = createRedis(redisUrl, 'worker');
  const queues = new JobQueues(connection, prefix);
  try {
    const all = await queues.counts();
    return all.find((c) => c.queue === 'inference')!;
  } finally {
    await queues.close();
    connection.disconnect();
  }
}
