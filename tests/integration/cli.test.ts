// The `spinegraph` command as a newcomer runs it: a real child process, real databases.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/spinegraph.js', import.meta.url).pathname;

async function cli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

let tdb: TestDatabase;
let cwd: string;

beforeAll(async () => {
  tdb = await createTestDatabase({ migrate: false });
  cwd = await mkdtemp(join(tmpdir(), 'sg-cli-'));
});

afterAll(async () => {
  await tdb?.drop();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

describe('spinegraph db migrate', () => {
  it('is idempotent on PostgreSQL', async () => {
    const first = await cli(['db', 'migrate'], { DATABASE_URL: tdb.url }, cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration\(s\) to PostgreSQL/);
    const second = await cli(['db', 'migrate'], { DATABASE_URL: tdb.url }, cwd);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/PostgreSQL is up to date/);
    const rows = await tdb.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('is idempotent on the embedded database when DATABASE_URL is unset', async () => {
    const env = { DATA_DIR: join(cwd, '.spinegraph') };
    const first = await cli(['db', 'migrate'], env, cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration\(s\) to embedded database/);
    const second = await cli(['db', 'migrate'], env, cwd);
    expect(second.stdout).toMatch(/embedded database at .* is up to date/);
    // PGlite's first start runs initdb in WebAssembly: slow on a busy machine.
  }, 240_000);
});

describe('start-up configuration', () => {
  it('a bad environment variable stops start-up with a message naming it', async () => {
    const r = await cli(['serve'], { PORT: 'eighty', AUTH_MODE: 'off' }, cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    const r2 = await cli(['serve'], { DATABASE_URL: 'mysql://nope' }, cwd);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/DATABASE_URL/);
  });

  it('refuses to serve without a way to verify tokens, naming the variables', async () => {
    const r = await cli(['serve'], { DATABASE_URL: tdb.url }, cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWT_SECRET or JWT_JWKS_URL/);
  });

  it('refuses AUTH_MODE=off on a non-loopback address', async () => {
    const r = await cli(['serve'], { DATABASE_URL: tdb.url, AUTH_MODE: 'off', HOST: '0.0.0.0' }, cwd);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/AUTH_MODE=off is for local use only/);
  });
});

describe('spinegraph models', () => {
  const DEMO = new URL('../../models/demo', import.meta.url).pathname;

  it('says so when no model set is registered, and how to register one', async () => {
    await cli(['db', 'migrate'], { DATABASE_URL: tdb.url }, cwd);
    const r = await cli(['models', 'list'], { DATABASE_URL: tdb.url }, cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No model sets are registered yet.*models register DIR/);
  });

  it('registers under the name given, and refuses to report the same files under another name', async () => {
    const first = await cli(['models', 'register', DEMO, '--name', 'demo-copy'], { DATABASE_URL: tdb.url }, cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^registered model set "demo-copy" \(/);
    const again = await cli(['models', 'register', DEMO, '--name', 'demo-copy'], { DATABASE_URL: tdb.url }, cwd);
    expect(again.stdout).toMatch(/^already registered model set "demo-copy"/);
    const other = await cli(['models', 'register', DEMO, '--name', 'demo-other'], { DATABASE_URL: tdb.url }, cwd);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/already registered as model set "demo-copy".*cannot be registered again as "demo-other"/);
    const list = await cli(['models', 'list'], { DATABASE_URL: tdb.url }, cwd);
    expect(list.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^\* demo-copy {2}[0-9a-f-]{36} /)]);
  }, 240_000);
});

describe('spinegraph worker on the embedded database', () => {
  it('refuses, saying that jobs run inside serve there and what a worker needs', async () => {
    const r = await cli(['worker'], { DATA_DIR: join(cwd, '.spinegraph-worker') }, cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/jobs run inside `spinegraph serve` here \(JOB_MODE=in-process.*set REDIS_URL and DATABASE_URL/);
  });
});

describe('spinegraph admin grant', () => {
  it('makes a system administrator from the server, with no token or JWT_SECRET', async () => {
    await cli(['db', 'migrate'], { DATABASE_URL: tdb.url }, cwd);
    const r = await cli(['admin', 'grant', '--email', 'First.Admin@Example.org', '--role', 'admin'], { DATABASE_URL: tdb.url }, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('first.admin@example.org is now a system administrator (every project, memberships, the audit log)\n');
    expect(await tdb.db.prisma.user.findUnique({ where: { email: 'first.admin@example.org' } })).toMatchObject({ isAdmin: true });
  }, 120_000);
});
