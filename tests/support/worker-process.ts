// Real worker processes for fault tests: `spinegraph worker` started as a child process exactly as an operator
// would, ready once it logs that it serves its queues, and killable with any signal (SIGKILL to simulate a crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'spinegraph.js');

export interface WorkerProcessOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queues?: string;
  readonly concurrency?: number;
  /** Short values let a killed worker's job be taken over within seconds (defaults: 30 s in production). */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Extra environment (e.g. INFERENCE_THREADS). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  readonly pid: number;
  /** Parsed JSON log lines so far (pino), newest last. */
  readonly logs: readonly Record<string, unknown>[];
  readonly exited: Promise<ExitStatus>;
  readonly alive: boolean;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<ExitStatus>;
  /** Graceful stop (SIGTERM), then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<ExitStatus>;
  /** The last log lines and stderr, for a failure message. */
  describe(): string;
}

const LOG_KEEP = 400;

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    INFERENCE_THREADS: '1',
    ...(options.lockDurationMs !== undefined ? { WORKER_LOCK_DURATION_MS: String(options.lockDurationMs) } : {}),
    ...(options.stalledIntervalMs !== undefined ? { WORKER_STALLED_INTERVAL_MS: String(options.stalledIntervalMs) } : {}),
    ...options.env,
  };
  const args = [BIN, 'worker', '--queues', options.queues ?? 'inference', '--concurrency', String(options.concurrency ?? 1)];
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let alive = true;
  const exited = new Promise<ExitStatus>((resolveExit) =>
    child.once('exit', (code, signal) => {
      alive = false;
      resolveExit({ code, signal });
    }),
  );
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      entry = { msg: line };
    }
    logs.push(entry);
    if (logs.length > LOG_KEEP) logs.shift();
    if (entry.msg === 'worker serving queues') markReady();
  });

  const handle: WorkerProcess = {
    pid: child.pid ?? -1,
    logs,
    exited,
    get alive() {
      return alive;
    },
    async kill(signal) {
      if (alive) child.kill(signal);
      return exited;
    },
    async stop(graceMs = 15_000) {
      if (!alive) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive && child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
    describe() {
      const tail = logs
        .slice(-30)
        .map((l) => JSON.stringify(l))
        .join('\n');
      return `worker pid ${child.pid}\n--- log tail ---\n${tail}\n--- stderr ---\n${stderr}`;
    },
  };

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await handle.kill('SIGKILL');
    throw new Error(`worker process did not become ready (${outcome})\n${handle.describe()}`);
  }
  return handle;
}
