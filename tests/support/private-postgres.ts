// A PostgreSQL server of the test's own (initdb + pg_ctl in a temporary folder, on a free port), so a test can stop
// and restart the database without disturbing the shared server other test files use. fsync is off: these are
// throwaway clusters. Run as root (as in CI containers), the server runs as the `postgres` user, since PostgreSQL
// refuses to run as root.
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './private-redis.js';

const run = promisify(execFile);

export interface PrivatePostgres {
  readonly port: number;
  /** postgresql://postgres@127.0.0.1:<port>/postgres: what createTestDatabase needs as its admin URL. */
  readonly adminUrl: string;
  /** `fast`: a clean shutdown that terminates sessions (57P01); `immediate`: a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again; resolves once it accepts connections. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

async function serverUser(): Promise<{ uid: number; gid: number; name: string } | null> {
  if (userInfo().uid !== 0) return null;
  const { stdout } = await run('id', ['-u', 'postgres']).catch(() => ({ stdout: '' }));
  const uid = Number(stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a "postgres" user to run a private PostgreSQL as');
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid, name: 'postgres' };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sg-postgres-'));
  const data = join(dir, 'data');
  const user = await serverUser();
  if (user) await chown(dir, user.uid, user.gid);
  const as = (cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> =>
    user ? run('runuser', ['-u', user.name, '--', cmd, ...args]) : run(cmd, args);
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  let running = false;
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const handle: PrivatePostgres = {
    port,
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    get running() {
      return running;
    },
    async start() {
      await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      running = true;
      const client = new pg.Client({ connectionString: handle.adminUrl });
      await client.connect();
      await client.end();
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await as('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async close() {
      await handle.stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}
