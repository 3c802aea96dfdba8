// `spinegraph token` end to end against a real PostgreSQL database: the rows it writes and the token it prints
// agree, and the server's authenticator turns that token into the requested role.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import type { Config } from '../../src/config.js';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { registerTokenCommand } from '../../src/cli/token.command.js';
import { silentLogger } from '../support/silent-logger.js';
import { TEST_JWT_SECRET, testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let tdb: TestDatabase;
let config: Config;

beforeAll(async () => {
  tdb = await createTestDatabase();
  config = testConfig({ DATABASE_URL: tdb.url, AUTH_MODE: 'jwt', JWT_SECRET: TEST_JWT_SECRET, JWT_AUDIENCE: 'spinegraph-api' });
});

afterAll(async () => {
  await tdb?.drop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function runToken(args: string[], cfg: Config = config): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  const ctx: CliContext = { config: async () => cfg, logger: async () => silentLogger };
  const program = new Command('spinegraph').exitOverride();
  registerTokenCommand(program, ctx);
  try {
    await program.parseAsync(['token', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('spinegraph token', () => {
  it('creates user, project and membership, and prints a token the API accepts with that role', async () => {
    const { stdout, stderr } = await runToken([
      '--user',
      'Alice@Example.org',
      '--role',
      'researcher',
      '--project',
      'lumbar-2024',
      '--ttl',
      '2h',
    ]);
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(stderr).toMatch(/alice@example\.org: researcher in project "lumbar-2024"/);

    const project = await tdb.db.prisma.project.findUniqueOrThrow({ where: { name: 'lumbar-2024' } });
    const user = await tdb.db.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.org' }, include: { memberships: true } });
    expect(user.memberships).toEqual([expect.objectContaining({ projectId: project.id, role: 'RESEARCHER' })]);

    const viewer = await createAuthenticator(tdb.db, config.auth).fromAuthorizationHeader(`Bearer ${token}`);
    expect(viewer).toMatchObject({
      userId: user.id,
      email: 'alice@example.org',
      isAdmin: false,
      scope: { kind: 'projects', projectIds: [project.id] },
    });
    expect(viewer.roles.get(project.id)).toBe('RESEARCHER');
  });

  it('sets the role to exactly what is asked, lists every membership, and makes system admins on request', async () => {
    await runToken(['--user', 'bob@example.org', '--role', 'admin', '--project', 'p1']);
    const { stdout } = await runToken(['--user', 'bob@example.org', '--role', 'viewer', '--project', 'p1', '--json']);
    const second = JSON.parse(stdout) as { token: string; memberships: unknown[]; isAdmin: boolean; expiresAt: string };
    expect(second.memberships).toEqual([{ project: 'p1', role: 'VIEWER' }]);
    expect(second.isAdmin).toBe(false);
    expect(new Date(second.expiresAt).getTime() - Date.now()).toBeGreaterThan(8 * 3600_000 - 60_000);

    const { stdout: adminOut } = await runToken(['--user', 'bob@example.org', '--project', 'p2', '--system-admin', '--json']);
    const admin = JSON.parse(adminOut) as { token: string; memberships: unknown[]; isAdmin: boolean };
    expect(admin.memberships).toEqual([
      { project: 'p1', role: 'VIEWER' },
      { project: 'p2', role: 'VIEWER' },
    ]);
    const viewer = await createAuthenticator(tdb.db, config.auth).fromAuthorizationHeader(`Bearer ${admin.token}`);
    expect(viewer).toMatchObject({ isAdmin: true, scope: { kind: 'all' } });
  });

  it('refuses without JWT_SECRET, with a bad role, TTL or email, and writes nothing then', async () => {
    const noSecret = testConfig({ DATABASE_URL: tdb.url, AUTH_MODE: 'off' });
    await expect(runToken(['--user', 'carl@example.org'], noSecret)).rejects.toThrow(/JWT_SECRET is not set/);
    await expect(runToken(['--user', 'carl@example.org', '--role', 'owner'])).rejects.toThrow(
      /Allowed choices are admin, researcher, viewer/,
    );
    await expect(runToken(['--user', 'carl@example.org', '--ttl', '1y'])).rejects.toThrow(/TTL/);
    await expect(runToken(['--user', 'carl@example.org', '--ttl', '31d'])).rejects.toThrow(/Token lifetime/);
    await expect(runToken(['--user', 'not-an-email'])).rejects.toThrow(/not an email address/);
    expect(await tdb.db.prisma.user.count({ where: { email: { in: ['carl@example.org', 'not-an-email'] } } })).toBe(0);
  });
});
