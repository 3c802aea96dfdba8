// The stack the security suite attacks: the real API server (serve) with JWT authentication, a PostgreSQL
// database of its own, Redis under a private prefix, a data root for imports, two projects and four users with
// local tokens: a system administrator, a researcher and a viewer of project A, a researcher of project B.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { mintLocalToken } from '../../src/auth/mint-token.js';
import { membershipsOf, provisionMembership } from '../../src/services/provision-user.js';
import type { ProjectRole } from '../../src/auth/viewer.js';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { serve, type RunningServer } from '../../src/server.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { registerModelSet } from '../../src/services/model-registry.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { writeFixtureModelSet } from '../fixtures/models/fixture-model-set.js';
import { silentLogger } from './silent-logger.js';
import { TEST_JWT_SECRET, testConfig } from './test-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from './test-redis.js';

export const SECURITY_AUDIENCE = 'spinegraph-security-suite';
export const SECURITY_ISSUER = 'https://idp.spinegraph.test/realms/security';
export const PROJECT_A = 'security-project-a';
export const PROJECT_B = 'security-project-b';
/** A key unknown to PATIENT_KEY_SECRET's default, as production requires. */
export const SECURITY_PATIENT_KEY_SECRET = 'security-suite-patient-key-secret';

export type UserKey = 'admin' | 'researcherA' | 'viewerA' | 'researcherB';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  /** `Authorization: Bearer <token>` */
  readonly headers: Readonly<Record<string, string>>;
}

export interface TestProject {
  readonly id: string;
  readonly name: string;
  /** Study ids and external ids imported into it (empty without cohorts). */
  readonly studyIds: readonly string[];
  readonly externalIds: readonly string[];
}

export interface SecurityStackOptions {
  /** Extra environment for the server's configuration (limits, NODE_ENV, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Synthetic studies imported into A and B (none: projects without studies, no model set). */
  readonly cohorts?: { readonly a: number; readonly b: number };
  readonly logger?: Logger;
}

export interface SecurityStack {
  readonly tdb: TestDatabase;
  readonly db: Database;
  readonly config: Config;
  readonly server: RunningServer;
  /** http://host:port/graphql */
  readonly url: string;
  /** http://host:port */
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** The only folder in DATA_ROOTS (a real path). */
  readonly dataRoot: string;
  /** A folder outside every data root (a real path), for escape attempts. */
  readonly outside: string;
  readonly prefix: string;
  readonly projects: { readonly a: TestProject; readonly b: TestProject };
  readonly users: Readonly<Record<UserKey, TestUser>>;
  readonly modelSetId: string | null;
  /** A graphql-ws client authenticated as `user` (or with the given connection params); closed by stop(). */
  wsClient(connectionParams: Readonly<Record<string, unknown>> | undefined): Client;
  stop(): Promise<void>;
}

const MEMBERSHIPS: Readonly<Record<UserKey, { project: string; role: ProjectRole; systemAdmin?: boolean }>> = {
  admin: { project: PROJECT_A, role: 'ADMIN', systemAdmin: true },
  researcherA: { project: PROJECT_A, role: 'RESEARCHER' },
  viewerA: { project: PROJECT_A, role: 'VIEWER' },
  researcherB: { project: PROJECT_B, role: 'RESEARCHER' },
};

/** The JWT part of the configuration every stack uses (secret, issuer, audience). */
export const SECURITY_AUTH_ENV: Readonly<Record<string, string>> = {
  AUTH_MODE: 'jwt',
  JWT_SECRET: TEST_JWT_SECRET,
  JWT_AUDIENCE: SECURITY_AUDIENCE,
  JWT_ISSUER: SECURITY_ISSUER,
  PATIENT_KEY_SECRET: SECURITY_PATIENT_KEY_SECRET,
};

export async function startSecurityStack(options: SecurityStackOptions = {}): Promise<SecurityStack> {
  const prefix = uniquePrefix();
  const work = await realpath(await mkdtemp(join(tmpdir(), 'sg-security-')));
  const dataRoot = join(work, 'data-root');
  const outside = join(work, 'outside');
  await Promise.all([mkdir(dataRoot), mkdir(outside)]);
  const tdb = await createTestDatabase();
  const clients: Client[] = [];
  let server: RunningServer | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await tdb.drop();
    await rm(work, { recursive: true, force: true });
    await deleteKeysWithPrefix(prefix);
  };
  try {
    const config = testConfig({
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      DATA_ROOTS: dataRoot,
      ...SECURITY_AUTH_ENV,
      ...options.env,
    });
    const users = {} as Record<UserKey, TestUser>;
    for (const key of Object.keys(MEMBERSHIPS) as UserKey[]) users[key] = await provisionUser(tdb.db, config, key);
    const projectIds = Object.fromEntries((await tdb.db.prisma.project.findMany()).map((p) => [p.name, p.id])) as Record<string, string>;

    let modelSetId: string | null = null;
    const imported = {
      a: { studyIds: [] as string[], externalIds: [] as string[] },
      b: { studyIds: [] as string[], externalIds: [] as string[] },
    };
    if (options.cohorts) {
      const modelsDir = join(work, 'models');
      await writeFixtureModelSet(modelsDir);
      modelSetId = (await registerModelSet(tdb.db, modelsDir, { activate: true, name: 'security-fixture' })).set.id;
      imported.a = await importCohort(tdb.db, join(work, 'cohort-a'), projectIds[PROJECT_A], options.cohorts.a, 81);
      imported.b = await importCohort(tdb.db, join(work, 'cohort-b'), projectIds[PROJECT_B], options.cohorts.b, 82);
    }

    server = await serve({ config, logger: options.logger ?? silentLogger, db: tdb.db, port: 0 });
    const url = server.api.url;
    const wsUrl = url.replace(/^http/, 'ws');
    return {
      tdb,
      db: tdb.db,
      config,
      server,
      url,
      baseUrl: url.replace(/\/graphql$/, ''),
      wsUrl,
      dataRoot,
      outside,
      prefix,
      projects: {
        a: { id: projectIds[PROJECT_A], name: PROJECT_A, ...imported.a },
        b: { id: projectIds[PROJECT_B], name: PROJECT_B, ...imported.b },
      },
      users,
      modelSetId,
      wsClient(connectionParams) {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          lazy: true,
          retryAttempts: 0,
          connectionParams: connectionParams ? { ...connectionParams } : undefined,
        });
        clients.push(client);
        return client;
      },
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

async function provisionUser(db: Database, config: Config, key: UserKey): Promise<TestUser> {
  const m = MEMBERSHIPS[key];
  const email = `${key.toLowerCase()}@security.example.org`;
  const provisioned = await provisionMembership(db, { email, projectName: m.project, role: m.role, systemAdmin: m.systemAdmin });
  const { token } = await mintLocalToken(config.auth, {
    userId: provisioned.user.id,
    email,
    admin: provisioned.user.isAdmin,
    memberships: await membershipsOf(db, provisioned.user.id),
    ttlSeconds: 3600,
  });
  return { id: provisioned.user.id, email, token, headers: { authorization: `Bearer ${token}` } };
}

/** Synthetic RSNA-layout studies imported straight through the import service (not under test here). */
async function importCohort(
  db: Database,
  dir: string,
  projectId: string,
  studies: number,
  seed: number,
): Promise<{ studyIds: string[]; externalIds: string[] }> {
  const summary = await generateDataset({ outDir: dir, studies, seed, size: 64, workers: 1 });
  await importStudies(db, { root: dir, projectId, secret: SECURITY_PATIENT_KEY_SECRET });
  const rows = await db.prisma.study.findMany({
    where: { projectId },
    select: { id: true, externalId: true },
    orderBy: { externalId: 'asc' },
  });
  if (rows.length !== studies)
    throw new Error(`expected ${studies} studies in ${projectId}, imported ${rows.length} of ${summary.studyIds.length}`);
  return { studyIds: rows.map((r) => r.id), externalIds: rows.map((r) => r.externalId) };
}

export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface GraphQLBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: {
    message: string;
    extensions?: { code?: string; details?: Record<string, unknown>; stacktrace?: unknown } & Record<string, unknown>;
    path?: (string | number)[];
  }[];
}

/** POSTs a GraphQL request and keeps the HTTP status and headers (the contract of refusals lives there too). */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult<GraphQLBody<T>>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: GraphQLBody<T>;
  try {
    body = JSON.parse(text) as GraphQLBody<T>;
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The first error's code, or undefined when the request succeeded. */
export function errorCode(result: HttpResult<GraphQLBody<unknown>>): string | undefined {
  return result.body.errors?.[0]?.extensions?.code;
}

/** Data of a request that must succeed, failing with the server's errors otherwise. */
export async function queryData<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
): Promise<T> {
  const res = await postGraphQL<T>(url, query, variables, headers);
  if (res.body.errors?.length || !res.body.data) throw new Error(`GraphQL request failed (${res.status}): ${res.text}`);
  return res.body.data;
}

export interface SubscriptionRecord<T> {
  readonly messages: T[];
  readonly errors: unknown[];
  /** Resolves when the subscription completes or errors. */
  readonly done: Promise<'complete' | 'error'>;
  stop(): void;
}

/** Subscribes and records everything that arrives. */
export function recordSubscription<T>(client: Client, query: string, variables: Record<string, unknown> = {}): SubscriptionRecord<T> {
  const messages: T[] = [];
  const errors: unknown[] = [];
  let stop: () => void = () => undefined;
  const done = new Promise<'complete' | 'error'>((resolve) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (m) => messages.push(m.data as T),
        error: (e) => {
          errors.push(e);
          resolve('error');
        },
        complete: () => resolve('complete'),
      },
    );
  });
  return { messages, errors, done, stop: () => stop() };
}

export interface CapturedLogger {
  readonly logger: Logger;
  /** Everything logged so far, as the JSON lines pino would have written to stdout. */
  output(): string;
}

/** The application's own logger (its level, redaction and format), writing into memory instead of stdout. */
export function capturingLogger(level = 'trace'): CapturedLogger {
  const logger = createLogger(level);
  const lines: string[] = [];
  // pino writes through this stream; children share it. The symbols are pino's public API for such uses.
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => void lines.push(line) };
  return { logger, output: () => lines.join('') };
}

export interface CapturedProcess {
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it has exited. */
  stop(): Promise<void>;
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'spinegraph.js');

/** `spinegraph worker` as an operator starts it, every byte it writes kept; ready once it serves its queues. */
export async function startCapturedWorker(
  stack: SecurityStack,
  options: { queues: string; env?: Readonly<Record<string, string>> },
): Promise<CapturedProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    DATABASE_URL: stack.tdb.url,
    REDIS_URL: stack.config.redis.url,
    QUEUE_PREFIX: stack.prefix,
    PATIENT_KEY_SECRET: stack.config.patientKeySecret,
    ...options.env,
  };
  const child = spawn(process.execPath, [BIN, 'worker', '--queues', options.queues, '--concurrency', '1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const started = Date.now();
  while (!output.includes('worker serving queues')) {
    if (child.exitCode !== null || Date.now() - started > 90_000) {
      await stop();
      throw new Error(`worker did not start:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { output: () => output, stop };
}
