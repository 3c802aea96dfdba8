// Against a real PostgreSQL database: users are found, linked and created as the token says, and the Viewer's
// scope and roles are the Membership rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { Config } from '../../src/config.js';
import type { TokenClaims } from '../../src/auth/claims.js';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { mintLocalToken } from '../../src/auth/mint-token.js';
import { provisionMembership } from '../../src/services/provision-user.js';
import { placeholderEmail, resolveViewer } from '../../src/auth/resolve-viewer.js';
import { TEST_JWT_SECRET } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  await tdb?.drop();
});

function claims(over: Partial<TokenClaims>): TokenClaims {
  return {
    sub: 'oidc|someone',
    email: undefined,
    emailVerified: undefined,
    name: undefined,
    verifiedWith: 'jwks',
    issuer: 'https://idp.example.org/',
    expiresAt: new Date(Date.now() + 60_000),
    admin: false,
    memberships: [],
    ...over,
  };
}

describe('resolveViewer', () => {
  it('creates a first-time provider user just in time, seeing nothing', async () => {
    const viewer = await resolveViewer(tdb.db, claims({ sub: 'oidc|new', email: 'new@example.org', name: 'New Person' }));
    expect(viewer).toMatchObject({ email: 'new@example.org', isAdmin: false, scope: { kind: 'projects', projectIds: [] } });
    expect(viewer.roles.size).toBe(0);
    const row = await tdb.db.prisma.user.findUniqueOrThrow({ where: { id: viewer.userId as string } });
    expect(row).toMatchObject({ externalSub: 'oidc|new', displayName: 'New Person', isAdmin: false });
    // Second sign-in: the same user, not another.
    expect((await resolveViewer(tdb.db, claims({ sub: 'oidc|new', email: 'new@example.org' }))).userId).toBe(viewer.userId);
  });

  it('maps memberships to scope and roles', async () => {
    const a = await provisionMembership(tdb.db, { email: 'carol@example.org', projectName: 'cohort-a', role: 'RESEARCHER' });
    const b = await provisionMembership(tdb.db, { email: 'carol@example.org', projectName: 'cohort-b', role: 'VIEWER' });
    await tdb.db.prisma.project.create({ data: { name: 'cohort-c' } });
    const viewer = await resolveViewer(tdb.db, claims({ sub: 'oidc|carol', email: 'carol@example.org' }));
    expect(viewer.userId).toBe(a.user.id);
    expect(viewer.scope.kind === 'projects' && [...viewer.scope.projectIds].sort()).toEqual([a.project.id, b.project.id].sort());
    expect(Object.fromEntries(viewer.roles)).toEqual({ [a.project.id]: 'RESEARCHER', [b.project.id]: 'VIEWER' });
  });

  it('links a user provisioned by email to the provider subject on first sign-in', async () => {
    const { user } = await provisionMembership(tdb.db, { email: 'dave@example.org', projectName: 'cohort-a', role: 'VIEWER' });
    const viewer = await resolveViewer(tdb.db, claims({ sub: 'oidc|dave', email: 'DAVE@example.org'.toLowerCase() }));
    expect(viewer.userId).toBe(user.id);
    expect((await tdb.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).externalSub).toBe('oidc|dave');
  });

  it('refuses an email already bound to another provider subject', async () => {
    await resolveViewer(tdb.db, claims({ sub: 'oidc|erin', email: 'erin@example.org' }));
    await expect(resolveViewer(tdb.db, claims({ sub: 'oidc|impostor', email: 'erin@example.org' }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'identity_conflict' },
    });
  });

  it('never links through an unverified email', async () => {
    const { user } = await provisionMembership(tdb.db, { email: 'frank@example.org', projectName: 'cohort-a', role: 'ADMIN' });
    const viewer = await resolveViewer(tdb.db, claims({ sub: 'oidc|not-frank', email: 'frank@example.org', emailVerified: false }));
    expect(viewer.userId).not.toBe(user.id);
    expect(viewer.email).toBe(placeholderEmail('oidc|not-frank'));
    expect(viewer.roles.size).toBe(0);
  });

  it('gives a token without email an undeliverable placeholder address', async () => {
    const viewer = await resolveViewer(tdb.db, claims({ sub: 'auth0|1234' }));
    expect(viewer.email).toBe('auth0%7C1234@oidc.invalid');
  });

  it('gives system admins every project', async () => {
    const { user } = await provisionMembership(tdb.db, {
      email: 'root@example.org',
      projectName: 'cohort-a',
      role: 'VIEWER',
      systemAdmin: true,
    });
    const viewer = await resolveViewer(tdb.db, claims({ verifiedWith: 'secret', sub: user.id }));
    expect(viewer).toMatchObject({ userId: user.id, isAdmin: true, scope: { kind: 'all' } });
  });

  it('takes a local token subject as the User id, and refuses one whose user is gone', async () => {
    const { user } = await provisionMembership(tdb.db, { email: 'gina@example.org', projectName: 'cohort-b', role: 'RESEARCHER' });
    expect((await resolveViewer(tdb.db, claims({ verifiedWith: 'secret', sub: user.id }))).email).toBe('gina@example.org');
    // The same UUID from the provider names no one: provider subjects are never User ids.
    const fromProvider = await resolveViewer(tdb.db, claims({ verifiedWith: 'jwks', sub: user.id }));
    expect(fromProvider.userId).not.toBe(user.id);
    await tdb.db.prisma.user.delete({ where: { id: user.id } });
    await expect(resolveViewer(tdb.db, claims({ verifiedWith: 'secret', sub: user.id }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'unknown_user' },
    });
  });

  it('creates one user when the first requests of a new user race', async () => {
    const viewers = await Promise.all(
      Array.from({ length: 6 }, () => resolveViewer(tdb.db, claims({ sub: 'oidc|racer', email: 'racer@example.org' }))),
    );
    expect(new Set(viewers.map((v) => v.userId)).size).toBe(1);
    expect(await tdb.db.prisma.user.count({ where: { email: 'racer@example.org' } })).toBe(1);
  });

  it('sees a revoked membership on the next request', async () => {
    const { user, project } = await provisionMembership(tdb.db, { email: 'hana@example.org', projectName: 'cohort-a', role: 'RESEARCHER' });
    const before = await resolveViewer(tdb.db, claims({ verifiedWith: 'secret', sub: user.id }));
    expect(before.roles.get(project.id)).toBe('RESEARCHER');
    await tdb.db.prisma.membership.delete({ where: { projectId_userId: { projectId: project.id, userId: user.id } } });
    const after = await resolveViewer(tdb.db, claims({ verifiedWith: 'secret', sub: user.id }));
    expect(after.scope).toEqual({ kind: 'projects', projectIds: [] });
  });
});

describe('createAuthenticator with AUTH_MODE=jwt', () => {
  const auth: Config['auth'] = { mode: 'jwt', secret: TEST_JWT_SECRET, jwksUrl: undefined, issuer: undefined, audience: 'spinegraph-api' };

  it('turns a minted token on HTTP and on graphql-ws into the same Viewer', async () => {
    const { user, project } = await provisionMembership(tdb.db, { email: 'ivan@example.org', projectName: 'cohort-b', role: 'RESEARCHER' });
    const { token } = await mintLocalToken(auth, { userId: user.id, email: user.email, admin: false, memberships: [], ttlSeconds: 60 });
    const authenticator = createAuthenticator(tdb.db, auth);
    const http = await authenticator.fromAuthorizationHeader(`Bearer ${token}`);
    const ws = await authenticator.fromConnectionParams({ authorization: `Bearer ${token}` });
    expect(http).toEqual(ws);
    expect(http.roles.get(project.id)).toBe('RESEARCHER');
  });

  it('refuses a wrongly signed token', async () => {
    const forged = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('spinegraph-api')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('not-the-secret-but-long-enough-to-sign'));
    await expect(createAuthenticator(tdb.db, auth).fromConnectionParams({ token: forged })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'bad_signature' },
    });
  });
});
