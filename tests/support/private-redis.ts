// A redis-server of the test's own on a free port, so a test can stop and restart Redis without disturbing the
// shared Redis other test files use. Persistence is on (an append-only file in a temporary folder), as on a
// production Redis: a restart keeps the queues; a graceful stop (SIGTERM) flushes the file first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM: a clean shutdown that writes the AOF; SIGKILL: a crash) and waits for its exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Starts it again on the same port and data folder; resolves once it answers PING. `persistence: false` starts it
   * as a Redis without an append-only file (or snapshot) would come back after a restart: empty.
   */
  start(options?: { persistence?: boolean }): Promise<void>;
  readonly running: boolean;
  /** Stops it and removes its data folder. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server at ${url} did not answer within ${timeoutMs} ms`);
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sg-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';

  const launch = async (persistence: boolean): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      persistence ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = proc;
    exited = new Promise((resolveExit) => proc.once('exit', () => resolveExit()));
    const failed = new Promise<never>((_, reject) =>
      proc.once('error', (e) => reject(new Error(`redis-server could not start: ${e.message}`))),
    );
    await Promise.race([waitForPing(url, 10_000), failed]).catch((e: unknown) => {
      proc.kill('SIGKILL');
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${stderr}`);
    });
  };

  await launch(true);
  const redis: PrivateRedis = {
    port,
    url,
    get running() {
      return child !== null;
    },
    async stop(signal = 'SIGTERM') {
      const proc = child;
      if (!proc) return;
      proc.kill(signal);
      await exited;
      child = null;
    },
    async start({ persistence = true } = {}) {
      if (child) return;
      await launch(persistence);
    },
    async close() {
      await redis.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return redis;
}
