// Administration over GraphQL with JWT authentication: projects, me, createProject, grantMembership,
// revokeMembership, memberships and auditEvents, each with who may and who may not call it; importStudies by project
// name; the OIDC-only bootstrap from the server's shell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintLocalToken } from '../../src/auth/mint-token.js';
import { adminSession } from '../../src/http/admin-session.js';
import { grantFromServer } from '../../src/services/administration.service.js';
import { gql, gqlData } from '../support/graphql-client.js';
import { PROJECT_A, PROJECT_B, startSecurityStack, type SecurityStack, type UserKey } from '../support/security-fixture.js';

let s: SecurityStack;
const as = (user: UserKey) => s.users[user].headers;
const call = <T = Record<string, unknown>>(user: UserKey, query: string, variables: Record<string, unknown> = {}) =>
  gql<T>(s.url, query, variables, as(user));
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }): string | undefined => res.errors?.[0]?.extensions?.code;

const GRANT = `mutation($input: GrantMembershipInput!) { grantMembership(input: $input) { project { id name } user { email isAdmin } role } }`;
const REVOKE = `mutation($input: RevokeMembershipInput!) { revokeMembership(input: $input) { user { email } role } }`;
const MEMBERS = `query($p: String!) { memberships(project: $p) { user { email } role } }`;
const AUDIT = `query($f: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) { nodes { id at action userEmail outcome targetIds detail } endCursor hasNextPage } }`;

beforeAll(async () => {
  s = await startSecurityStack({ env: { MUTATION_RATE_LIMIT_PER_MINUTE: '100000' } });
}, 180_000);

afterAll(async () => {
  await s?.stop();
});

describe('projects and me', () => {
  it('lists the projects a caller can see, with their role; a system administrator sees every project', async () => {
    const a = await gqlData<{ projects: { name: string; role: string }[] }>(s.url, '{ projects { id name role } }', {}, as('viewerA'));
    expect(a.projects).toEqual([{ id: s.projects.a.id, name: PROJECT_A, role: 'VIEWER' }]);
    const admin = await gqlData<{ projects: { name: string; role: string }[] }>(s.url, '{ projects { name role } }', {}, as('admin'));
    expect(admin.projects.map((p) => p.name)).toEqual(expect.arrayContaining([PROJECT_A, PROJECT_B]));
    expect(new Set(admin.projects.map((p) => p.role))).toEqual(new Set(['ADMIN']));
  });

  it('tells callers who they are and where they belong; no token is UNAUTHENTICATED', async () => {
    const me = await gqlData<{
      me: { email: string; isAdmin: boolean; user: { id: string }; memberships: { project: { name: string }; role: string }[] };
    }>(s.url, '{ me { email isAdmin user { id } memberships { project { name } role } } }', {}, as('researcherA'));
    expect(me.me).toEqual({
      email: s.users.researcherA.email,
      isAdmin: false,
      user: { id: s.users.researcherA.id },
      memberships: [{ project: { name: PROJECT_A }, role: 'RESEARCHER' }],
    });
    expect(codeOf(await gql(s.url, '{ me { email } }'))).toBe('UNAUTHENTICATED');
  });
});

describe('createProject', () => {
  it('creates a project for a system administrator, refuses a taken name, and refuses everyone else', async () => {
    const created = await call<{ createProject: { name: string; role: string } }>(
      'admin',
      'mutation { createProject(name: "lumbar-2026") { id name role } }',
    );
    expect(created.data?.createProject).toMatchObject({ name: 'lumbar-2026', role: 'ADMIN' });
    expect(codeOf(await call('admin', 'mutation { createProject(name: "lumbar-2026") { id } }'))).toBe('CONFLICT');
    expect(codeOf(await call('admin', 'mutation { createProject(name: "bad/name") { id } }'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call('researcherA', 'mutation { createProject(name: "mine") { id } }'))).toBe('FORBIDDEN');
    expect(await s.db.prisma.project.count({ where: { name: 'mine' } })).toBe(0);
  });
});

describe('grantMembership and revokeMembership', () => {
  it('lets a system administrator make a project administrator, who then manages that project only', async () => {
    const made = await call<{ grantMembership: { role: string; project: { name: string } } }>('admin', GRANT, {
      input: { project: PROJECT_B, email: s.users.researcherB.email, role: 'ADMIN' },
    });
    expect(made.data?.grantMembership).toMatchObject({ role: 'ADMIN', project: { name: PROJECT_B } });

    // The new project administrator grants in B (by project id), to a person who has never signed in.
    const granted = await call<{ grantMembership: { user: { email: string; isAdmin: boolean }; role: string } }>('researcherB', GRANT, {
      input: { project: s.projects.b.id, email: 'New.Person@Example.org', role: 'VIEWER' },
    });
    expect(granted.data?.grantMembership).toEqual({
      project: { id: s.projects.b.id, name: PROJECT_B },
      user: { email: 'new.person@example.org', isAdmin: false },
      role: 'VIEWER',
    });
    const members = await call<{ memberships: { user: { email: string }; role: string }[] }>('researcherB', MEMBERS, { p: PROJECT_B });
    expect(members.data?.memberships).toEqual(
      expect.arrayContaining([
        { user: { email: 'new.person@example.org' }, role: 'VIEWER' },
        { user: { email: s.users.researcherB.email }, role: 'ADMIN' },
      ]),
    );
    // ... but not in A, which does not exist for them.
    expect(codeOf(await call('researcherB', GRANT, { input: { project: PROJECT_A, email: 'x@example.org', role: 'VIEWER' } }))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await call('researcherB', MEMBERS, { p: PROJECT_A }))).toBe('NOT_FOUND');
  });

  it('refuses researchers and viewers of the project, and bad input', async () => {
    const input = { project: PROJECT_A, email: 'someone@example.org', role: 'RESEARCHER' };
    expect(codeOf(await call('researcherA', GRANT, { input }))).toBe('FORBIDDEN');
    expect(codeOf(await call('viewerA', GRANT, { input }))).toBe('FORBIDDEN');
    expect(codeOf(await call('viewerA', MEMBERS, { p: PROJECT_A }))).toBe('FORBIDDEN');
    expect(codeOf(await call('researcherA', REVOKE, { input: { project: PROJECT_A, email: s.users.viewerA.email } }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(s.url, GRANT, { input }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call('admin', GRANT, { input: { ...input, email: 'not an email' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call('admin', GRANT, { input: { ...input, project: 'no-such-project' } }))).toBe('NOT_FOUND');
    expect(await s.db.prisma.user.count({ where: { email: 'someone@example.org' } })).toBe(0);
  });

  it('takes effect at once: a granted researcher may import by project name, a revoked one sees nothing', async () => {
    // viewerA becomes a researcher in A; the next request already carries the role (memberships are read per request).
    await gqlData(s.url, GRANT, { input: { project: PROJECT_A, email: s.users.viewerA.email, role: 'RESEARCHER' } }, as('admin'));
    const imported = await call<{ importStudies: { status: string; params: { projectId: string } } }>(
      'viewerA',
      'mutation($p: String, $path: String!) { importStudies(input: { path: $path, project: $p }) { status params } }',
      { p: PROJECT_A, path: s.dataRoot },
    );
    expect(codeOf(imported)).not.toBe('FORBIDDEN');
    expect(imported.errors ?? []).toEqual([]);
    expect(imported.data?.importStudies.params.projectId).toBe(s.projects.a.id);

    const revoked = await call<{ revokeMembership: { role: string } }>('admin', REVOKE, {
      input: { project: PROJECT_A, email: s.users.viewerA.email },
    });
    expect(revoked.data?.revokeMembership.role).toBe('RESEARCHER');
    const after = await gqlData<{ projects: unknown[] }>(s.url, '{ projects { id } }', {}, as('viewerA'));
    expect(after.projects).toEqual([]);
    expect(codeOf(await call('admin', REVOKE, { input: { project: PROJECT_A, email: s.users.viewerA.email } }))).toBe('NOT_FOUND');
    // Put it back for the other tests.
    await gqlData(s.url, GRANT, { input: { project: PROJECT_A, email: s.users.viewerA.email, role: 'VIEWER' } }, as('admin'));
  });

  it('does not let a project administrator remove its last administrator', async () => {
    const res = await call('researcherB', REVOKE, { input: { project: PROJECT_B, email: s.users.researcherB.email } });
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/last administrator/);
  });
});

describe('auditEvents', () => {
  it('shows administrators the log newest first, filtered by action, user, project, outcome and time, page by page', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    // One grant of each outcome, by id so that the project filter finds it among the targets.
    await call('admin', GRANT, { input: { project: s.projects.b.id, email: 'audited@example.org', role: 'VIEWER' } });
    await call('researcherA', GRANT, { input: { project: s.projects.a.id, email: 'audited@example.org', role: 'VIEWER' } });
    await call('admin', GRANT, { input: { project: s.projects.b.id, email: 'not an email', role: 'VIEWER' } });
    const grants = await gqlData<{
      auditEvents: { nodes: { id: string; action: string; outcome: string; userEmail: string; at: string }[] };
    }>(s.url, AUDIT, { f: { action: 'mutation.grantMembership', from: since } }, as('admin'));
    const nodes = grants.auditEvents.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    expect(nodes.every((n) => n.action === 'mutation.grantMembership')).toBe(true);
    expect(nodes.map((n) => Number(n.id))).toEqual([...nodes.map((n) => Number(n.id))].sort((a, b) => b - a));
    expect(nodes.map((n) => n.outcome)).toEqual(expect.arrayContaining(['SUCCESS', 'DENIED', 'ERROR']));

    const denied = await gqlData<{ auditEvents: { nodes: { userEmail: string; outcome: string }[] } }>(
      s.url,
      AUDIT,
      { f: { userId: s.users.researcherA.id, outcome: 'DENIED' } },
      as('admin'),
    );
    expect(denied.auditEvents.nodes.length).toBeGreaterThan(0);
    expect(denied.auditEvents.nodes.every((n) => n.userEmail === s.users.researcherA.email && n.outcome === 'DENIED')).toBe(true);

    const inB = await gqlData<{ auditEvents: { nodes: { action: string; targetIds: string[] }[] } }>(
      s.url,
      AUDIT,
      { f: { projectId: s.projects.b.id, action: 'mutation.grantMembership' } },
      as('admin'),
    );
    expect(inB.auditEvents.nodes.length).toBeGreaterThan(0);

    const future = await gqlData<{ auditEvents: { nodes: unknown[] } }>(
      s.url,
      AUDIT,
      { f: { from: new Date(Date.now() + 60_000).toISOString() } },
      as('admin'),
    );
    expect(future.auditEvents.nodes).toEqual([]);

    // Two pages of one cover the first two events without overlap.
    const p1 = await gqlData<{ auditEvents: { nodes: { id: string }[]; endCursor: string; hasNextPage: boolean } }>(
      s.url,
      AUDIT,
      { first: 1 },
      as('admin'),
    );
    expect(p1.auditEvents.hasNextPage).toBe(true);
    const p2 = await gqlData<{ auditEvents: { nodes: { id: string }[] } }>(
      s.url,
      AUDIT,
      { first: 1, after: p1.auditEvents.endCursor },
      as('admin'),
    );
    expect(Number(p2.auditEvents.nodes[0]?.id)).toBeLessThan(Number(p1.auditEvents.nodes[0]?.id));
  });

  it("shows a project administrator the events of their own project only, and nobody else's", async () => {
    // researcherB administers project B since the grant above; researcherA grants into A (denied, but audited).
    await call('admin', GRANT, { input: { project: PROJECT_B, email: 'b.member@example.org', role: 'VIEWER' } });
    await call('researcherA', GRANT, { input: { project: s.projects.a.id, email: 'a.member@example.org', role: 'VIEWER' } });
    const own = await gqlData<{ auditEvents: { nodes: { action: string; targetIds: string[]; userEmail: string }[] } }>(
      s.url,
      AUDIT,
      { f: { action: 'mutation.grantMembership' }, first: 500 },
      as('researcherB'),
    );
    const nodes = own.auditEvents.nodes;
    // Grants name project B by id or by name; both are found, and nothing naming project A only.
    expect(nodes.some((n) => n.targetIds.includes(PROJECT_B))).toBe(true);
    expect(nodes.some((n) => n.targetIds.includes(s.projects.b.id))).toBe(true);
    expect(nodes.every((n) => n.targetIds.includes(PROJECT_B) || n.targetIds.includes(s.projects.b.id))).toBe(true);
    expect(nodes.some((n) => n.targetIds.includes(s.projects.a.id) || n.targetIds.includes(PROJECT_A))).toBe(false);
    // The system administrator sees the project-A grant the project administrator does not.
    const all = await gqlData<{ auditEvents: { nodes: { targetIds: string[] }[] } }>(
      s.url,
      AUDIT,
      { f: { action: 'mutation.grantMembership' }, first: 500 },
      as('admin'),
    );
    expect(all.auditEvents.nodes.some((n) => n.targetIds.includes(s.projects.a.id))).toBe(true);
    // Filtering by their own project works; by another project is FORBIDDEN, with a message that says why.
    const byB = await gqlData<{ auditEvents: { nodes: unknown[] } }>(
      s.url,
      AUDIT,
      { f: { projectId: s.projects.b.id } },
      as('researcherB'),
    );
    expect(byB.auditEvents.nodes.length).toBeGreaterThan(0);
    const other = await call('researcherB', AUDIT, { f: { projectId: s.projects.a.id } });
    expect(codeOf(other)).toBe('FORBIDDEN');
    expect(other.errors?.[0]?.message).toMatch(/projects you administer/);
  });

  it('is refused to callers who administer no project, and bad filters are BAD_USER_INPUT', async () => {
    const refused = await call('researcherA', AUDIT);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/system administrators and project administrators/);
    expect(codeOf(await call('viewerA', AUDIT))).toBe('FORBIDDEN');
    expect(codeOf(await gql(s.url, AUDIT))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call('admin', AUDIT, { f: { projectId: 'nope' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call('researcherB', AUDIT, { f: { projectId: 'nope' } }))).toBe('BAD_USER_INPUT');
    const now = new Date().toISOString();
    expect(codeOf(await call('admin', AUDIT, { f: { from: now, to: now } }))).toBe('BAD_USER_INPUT');
  });
});

describe('bootstrap of an OIDC-only deployment', () => {
  it('makes a first system administrator from the server, whose OIDC login then administers', async () => {
    const { user } = await grantFromServer(s.db, { email: 'first.admin@example.org', role: 'ADMIN' });
    expect(user.isAdmin).toBe(true);
    // Stands in for their OIDC token: any token that names this user.
    const { token } = await mintLocalToken(s.config.auth, {
      userId: user.id,
      email: user.email,
      admin: true,
      memberships: [],
      ttlSeconds: 600,
    });
    const res = await gql<{ grantMembership: { role: string } }>(
      s.url,
      GRANT,
      { input: { project: PROJECT_A, email: 'colleague@example.org', role: 'RESEARCHER' } },
      { authorization: `Bearer ${token}` },
    );
    expect(res.data?.grantMembership.role).toBe('RESEARCHER');
    await expect(grantFromServer(s.db, { email: 'x@example.org', role: 'VIEWER' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(grantFromServer(s.db, { email: 'x@example.org', role: 'VIEWER', project: 'missing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('/admin/queues from a browser', () => {
  const session = (headers: Record<string, string> = {}) => fetch(`${s.baseUrl}/admin/session`, { method: 'POST', headers });
  const board = (path: string, cookie: string) => fetch(`${s.baseUrl}/admin/queues${path}`, { headers: { cookie } });

  it("gives an administrator's authenticated request a short-lived, HttpOnly, same-site cookie that opens the board, its scripts and its API", async () => {
    const res = await session(as('admin'));
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sg_admin=[^;]+; Path=\/admin; Max-Age=600; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0] as string;
    const page = await board('', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script as string, `${s.baseUrl}/admin/queues/`), { headers: { cookie } })).status).toBe(200);
    const api = await board('/api/queues', cookie);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(expect.arrayContaining(['inference']));
    // Without the cookie the same requests are refused.
    expect((await fetch(`${s.baseUrl}/admin/queues/api/queues`)).status).toBe(401);
  });

  it('refuses a session to anyone but a system administrator, and refuses cookies with a changed user or expiry, and a demoted administrator cookie', async () => {
    expect((await session()).status).toBe(401);
    expect((await session(as('researcherA'))).status).toBe(403);
    const setCookie = (await session(as('admin'))).headers.get('set-cookie') ?? '';
    const value = (setCookie.split(';')[0] as string).slice('sg_admin='.length);
    const [userId, exp, sig] = value.split('.');
    expect((await board('/api/queues', `sg_admin=${s.users.researcherA.id}.${exp}.${sig}`)).status).toBe(401);
    expect((await board('/api/queues', `sg_admin=${userId}.${Number(exp) + 3600}.${sig}`)).status).toBe(401);
    expect((await board('/api/queues', `sg_admin=${userId}.${Math.floor(Date.now() / 1000) - 1}.${sig}`)).status).toBe(401);
    // A forged cookie is told apart from an expired one.
    const forged = await board('/api/queues', `sg_admin=${userId}.${exp}.${'A'.repeat((sig as string).length)}`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { reason: string } }).error.reason).toBe('INVALID');
    // The account loses administrator rights: its cookie stops working on the next request.
    await s.db.prisma.user.update({ where: { id: userId }, data: { isAdmin: false } });
    try {
      expect((await board('/api/queues', `sg_admin=${value}`)).status).toBe(403);
    } finally {
      await s.db.prisma.user.update({ where: { id: userId }, data: { isAdmin: true } });
    }
  });

  it('answers a genuine but expired cookie with 401, a clear message and the way back, and clears it', async () => {
    // Signed with the server's own secrets (the key every replica derives), ten minutes and one second in the past.
    const signer = adminSession({
      db: s.db,
      viewerOf: () => Promise.reject(new Error('not used: only the signer is')),
      secrets: [s.config.patientKeySecret, s.config.auth.secret ?? ''],
      secureCookie: false,
    });
    const expired = `sg_admin=${signer.sign(s.users.admin.id, Math.floor(Date.now() / 1000) - 1)}`;
    const api = await board('/api/queues', expired);
    expect(api.status).toBe(401);
    const body = (await api.json()) as { error: { code: string; reason: string; message: string } };
    expect(body.error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
    expect(body.error.message).toMatch(/admin session expired .*open the queue board again from the Administration view/);
    expect(api.headers.get('set-cookie')).toMatch(/^sg_admin=; Path=\/admin; Max-Age=0/);
    // The board's page, as a browser tab loads it: an HTML page that says so and links back.
    const page = await fetch(`${s.baseUrl}/admin/queues/`, { headers: { cookie: expired, accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('The admin session expired');
    expect(html).toContain('href="/#/admin"');
    // The same cookie signed a second into the future still opens the board: expiry, not the signature, refused it.
    const fresh = `sg_admin=${signer.sign(s.users.admin.id, Math.floor(Date.now() / 1000) + 60)}`;
    expect((await board('/api/queues', fresh)).status).toBe(200);
  });
});
