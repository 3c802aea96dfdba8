// The only reader of process.env. Parses, validates and freezes the configuration once;
// a bad variable stops start-up with a message naming it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDicomwebSources, Secret, type DicomwebSource } from './config/dicomweb-sources.js';
import { parseStorageRoots, type StorageRoot } from './config/storage-roots.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0),
);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.spinegraph'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  JOB_MODE: z.enum(['queue', 'in-process']).optional(),
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  JOB_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  JOB_LOST_GRACE_MS: z.coerce.number().int().min(1000).default(120_000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _.:- only')
    .default('spinegraph'),
  PATIENT_KEY_SECRET: z.string().min(16, 'must be at least 16 characters').default('spinegraph-local-development-key'),
  DATA_ROOTS: list.default([]),
  // Unset: the built-in protocol words (services/import/series-description.ts); set to '' to store no description.
  SERIES_DESCRIPTION_WORDS: list.optional(),
  MODELS_DIR: z.string().min(1).optional(),
  INFERENCE_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  INFERENCE_THREADS: z.coerce.number().int().min(0).default(0),
  INFERENCE_SPINNING: z.enum(['on', 'off']).default('off'),
  INFERENCE_GRAPH_CACHE: z.enum(['on', 'off']).default('on'),
  TRAINER_PYTHON: z.string().min(1).default('/usr/bin/python3'),
  AUTH_MODE: z.enum(['jwt', 'off']).default('jwt'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  GRAPHQL_INTROSPECTION: bool.optional(),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(12),
  MAX_QUERY_COMPLEXITY: z.coerce.number().int().min(10).default(20_000),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(20),
  MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(100),
  MUTATION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  DICOMWEB_SOURCES: z.string().optional(),
  DICOMWEB_LINKAGE_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  DICOMWEB_CACHE_DIR: z.string().min(1).optional(),
  // /metrics counts jobs across every project: served only with this bearer token, and in production not at all without it.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Small-cell suppression: groups of a grouped answer with fewer studies are withheld from non-administrators.
  MIN_GROUP_SIZE: z.coerce.number().int().min(1).default(5),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb')
    .default('1mb'),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the configuration reads (documented in .env.example; checked against compose by a test). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly isProduction: boolean;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly http: { readonly host: string; readonly port: number; readonly bodyLimit: string };
  /** Bearer token /metrics requires; null: open outside production, not served in production. */
  readonly metricsToken: string | null;
  /** `postgres` when DATABASE_URL is set, else the embedded PGlite database under dataDir. */
  readonly database: { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite'; readonly dir: string };
  readonly dataDir: string;
  readonly redis: { readonly url: string; readonly prefix: string };
  /**
   * `queue`: BullMQ on Redis, jobs run by worker processes (servers). `in-process`: jobs run in the API process
   * itself, through the same Job rows, handlers and events (the embedded database without Redis: the demo, a laptop).
   */
  readonly jobs: { readonly mode: 'queue' | 'in-process' };
  readonly worker: {
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    /** How often a worker reconciles Job rows with the queue (src/queue/job-reconciler.ts). */
    readonly reconcileIntervalMs: number;
    /** A QUEUED or RUNNING row younger than this is never taken for lost. */
    readonly lostJobGraceMs: number;
  };
  readonly patientKeySecret: string;
  /** Folders imports through the API may read (DATA_ROOTS, names stripped). */
  readonly dataRoots: readonly string[];
  /**
   * Named roots every Instance.storageUri is relative to (docs/storage.md): `data` (DATA_DIR), `dicomweb` (the
   * DICOMweb cache), the DATA_ROOTS entries, and with DATA_ROOTS empty `cwd` (the working folder).
   */
  readonly storageRoots: readonly StorageRoot[];
  /** Words a stored SeriesDescription may consist of; null: the built-in protocol words. */
  readonly seriesDescriptionWords: readonly string[] | null;
  readonly modelsDir: string;
  readonly inference: {
    readonly provider: 'cpu' | 'cuda';
    readonly threads: number;
    /** onnxruntime's intra-op spin-wait (INFERENCE_SPINNING, default off: BENCHMARKS.md pipeline-ratio); unset: onnxruntime's default. */
    readonly spinning?: boolean;
    /**
     * Where CPU sessions save their optimised graphs and reopen them (INFERENCE_GRAPH_CACHE, default on:
     * <DATA_DIR>/onnx-graphs; BENCHMARKS.md session-options); undefined: every session optimises its model afresh.
     */
    readonly graphCacheDir?: string;
  };
  readonly trainerPython: string;
  readonly auth: {
    readonly mode: 'jwt' | 'off';
    readonly secret: string | undefined;
    readonly jwksUrl: string | undefined;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
  };
  readonly dicomweb: {
    readonly sources: readonly DicomwebSource[];
    /** Key of the original-UID table (AES-256-GCM); distinct from the pseudonym key; unset = linkage off. */
    readonly linkageKey: string | undefined;
    /** Where pulled instances are written (one folder per project and source). */
    readonly cacheDir: string;
  };
  /** Grouped answers (`groupBy`): groups below this many studies are suppressed for non-administrators. */
  readonly analytics: { readonly minGroupSize: number };
  readonly graphql: {
    readonly introspection: boolean;
    readonly maxPageSize: number;
    readonly maxDepth: number;
    readonly maxComplexity: number;
    /** Aliases per operation (each alias is one more execution of its field). */
    readonly maxAliases: number;
    /** Live subscriptions on one WebSocket, and for one user across their sockets (per API process). */
    readonly maxSubscriptionsPerSocket: number;
    readonly maxSubscriptionsPerUser: number;
    readonly mutationRatePerMinute: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Builds the configuration from an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty value means unset, as in .env files (`JWT_SECRET=` in .env.example loads as it is).
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (i) =>
          `${i.path.join('.')}: ${i.message} (got ${/SECRET|KEY|SOURCES/.test(String(i.path[0])) ? 'a value not shown' : JSON.stringify(source[String(i.path[0])])})`,
      ),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && e.PATIENT_KEY_SECRET === 'spinegraph-local-development-key') {
    problems.push('PATIENT_KEY_SECRET: must be set to a secret of your own in production');
  }
  if (e.DICOMWEB_LINKAGE_KEY && e.DICOMWEB_LINKAGE_KEY === e.PATIENT_KEY_SECRET) {
    problems.push('DICOMWEB_LINKAGE_KEY: must differ from PATIENT_KEY_SECRET');
  }
  let dicomwebSources: readonly DicomwebSource[] = [];
  try {
    dicomwebSources = e.DICOMWEB_SOURCES ? parseDicomwebSources(readSourcesText(e.DICOMWEB_SOURCES)) : [];
  } catch (error) {
    problems.push(`DICOMWEB_SOURCES: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (dicomwebSources.some((s) => s.linkage) && !e.DICOMWEB_LINKAGE_KEY) {
    problems.push('DICOMWEB_LINKAGE_KEY: required when a DICOMweb source has "linkage": true');
  }
  const dataDir = resolve(e.DATA_DIR);
  const cacheDir = e.DICOMWEB_CACHE_DIR ? resolve(e.DICOMWEB_CACHE_DIR) : resolve(dataDir, 'dicomweb');
  let storageRoots: readonly StorageRoot[] = [];
  try {
    storageRoots = parseStorageRoots(e.DATA_ROOTS, dataDir, cacheDir);
  } catch (error) {
    problems.push(`DATA_ROOTS: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const config: Config = {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT, bodyLimit: e.BODY_LIMIT },
    metricsToken: e.METRICS_TOKEN ?? null,
    database: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dir: resolve(dataDir, 'db') },
    dataDir,
    redis: { url: e.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: e.QUEUE_PREFIX },
    // Unconfigured Redis on the embedded database (which one process holds anyway) means in-process jobs.
    jobs: { mode: e.JOB_MODE ?? (!e.DATABASE_URL && !e.REDIS_URL ? 'in-process' : 'queue') },
    worker: {
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      reconcileIntervalMs: e.JOB_RECONCILE_INTERVAL_MS,
      lostJobGraceMs: e.JOB_LOST_GRACE_MS,
    },
    patientKeySecret: e.PATIENT_KEY_SECRET,
    dataRoots: storageRoots.slice(2, 2 + e.DATA_ROOTS.length).map((r) => r.path),
    storageRoots,
    seriesDescriptionWords: e.SERIES_DESCRIPTION_WORDS ?? null,
    // Unset: the models shipped with the package (the bundled demo set), wherever the command runs from.
    modelsDir: e.MODELS_DIR ? resolve(e.MODELS_DIR) : fileURLToPath(new URL('../models', import.meta.url)),
    inference: {
      provider: e.INFERENCE_PROVIDER,
      threads: e.INFERENCE_THREADS,
      spinning: e.INFERENCE_SPINNING === 'on',
      ...(e.INFERENCE_GRAPH_CACHE === 'on' ? { graphCacheDir: resolve(dataDir, 'onnx-graphs') } : {}),
    },
    trainerPython: e.TRAINER_PYTHON,
    auth: { mode: e.AUTH_MODE, secret: e.JWT_SECRET, jwksUrl: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    dicomweb: {
      sources: dicomwebSources,
      linkageKey: e.DICOMWEB_LINKAGE_KEY,
      cacheDir,
    },
    analytics: { minGroupSize: e.MIN_GROUP_SIZE },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      maxPageSize: e.MAX_PAGE_SIZE,
      maxDepth: e.MAX_QUERY_DEPTH,
      maxComplexity: e.MAX_QUERY_COMPLEXITY,
      maxAliases: e.MAX_QUERY_ALIASES,
      maxSubscriptionsPerSocket: e.MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriptionsPerUser: e.MAX_SUBSCRIPTIONS_PER_USER,
      mutationRatePerMinute: e.MUTATION_RATE_LIMIT_PER_MINUTE,
    },
  };
  return deepFreeze(config);
}

/** What the API process needs beyond what every command needs: a way to verify tokens. */
export function assertServable(config: Config): void {
  if (config.auth.mode === 'jwt' && !config.auth.secret && !config.auth.jwksUrl) {
    throw new ConfigError(['JWT_SECRET or JWT_JWKS_URL: one is required when AUTH_MODE=jwt (set AUTH_MODE=off for local use)']);
  }
}

/** DICOMWEB_SOURCES holds the JSON itself, or the path of a file holding it (secrets stay out of the environment). */
function readSourcesText(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) return trimmed;
  try {
    return readFileSync(resolve(trimmed), 'utf8');
  } catch {
    throw new Error(`is neither a JSON array nor a readable file (${trimmed})`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Secret)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
