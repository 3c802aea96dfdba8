// Authentication against the real server: every way a caller can fail to prove who they are, on HTTP (GraphQL,
// the export, the queue board) and on graphql-ws, must be refused with UNAUTHENTICATED (401) or a 4403 close, and
// a valid token must still work (so the refusals are not an artefact of a broken setup).
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintLocalToken } from '../../src/auth/mint-token.js';
import { startJwksServer, type JwksServer } from '../unit/auth/jwks-server.js';
import {
  errorCode,
  postGraphQL,
  recordSubscription,
  SECURITY_AUDIENCE,
  SECURITY_ISSUER,
  startSecurityStack,
  type SecurityStack,
} from '../support/security-fixture.js';
import { TEST_JWT_SECRET } from '../support/test-config.js';

let stack: SecurityStack;
let jwks: JwksServer;
let providerKey: CryptoKey;
let strangerKey: CryptoKey;
const PROVIDER_KID = 'provider-key-1';

beforeAll(async () => {
  const provider = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  providerKey = provider.privateKey;
  strangerKey = stranger.privateKey;
  jwks = await startJwksServer([{ ...(await exportJWK(provider.publicKey)), kid: PROVIDER_KID, alg: 'ES256', use: 'sig' }]);
  stack = await startSecurityStack({ env: { JWT_JWKS_URL: jwks.url } });
});

afterAll(async () => {
  await stack?.stop();
  await jwks?.close();
});

const VERSION = '{ version }';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An HS256 token for the researcher of A, with the registered claims overridable. */
function signed(options: { key?: string; aud?: string; iss?: string; exp?: number; sub?: string } = {}): Promise<string> {
  return new SignJWT({ email: stack.users.researcherA.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? stack.users.researcherA.id)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? nowSeconds() + 600)
    .setIssuer(options.iss ?? SECURITY_ISSUER)
    .setAudience(options.aud ?? SECURITY_AUDIENCE)
    .sign(new TextEncoder().encode(options.key ?? TEST_JWT_SECRET));
}

function providerToken(key: CryptoKey, kid: string, claims: JWTPayload = {}): Promise<string> {
  return new SignJWT({ email: 'oidc.user@security.example.org', email_verified: true, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setSubject('oidc|user-1')
    .setIssuedAt()
    .setExpirationTime('10m')
    .setIssuer(SECURITY_ISSUER)
    .setAudience(SECURITY_AUDIENCE)
    .sign(key);
}

async function expectUnauthenticated(authorization: string | undefined, reason: string): Promise<void> {
  const res = await postGraphQL(stack.url, VERSION, {}, authorization === undefined ? {} : { authorization });
  expect(res.status).toBe(401);
  expect(errorCode(res)).toBe('UNAUTHENTICATED');
  expect(res.body.errors?.[0].extensions?.details).toMatchObject({ reason });
  expect(res.body.data ?? undefined).toBeUndefined();
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

describe('HTTP bearer tokens', () => {
  it('accepts a valid local token (control)', async () => {
    const res = await postGraphQL<{ version: string }>(stack.url, VERSION, {}, stack.users.researcherA.headers);
    expect(res.status).toBe(200);
    expect(res.body.data?.version).toEqual(expect.any(String));
  });

  it('refuses a request without a token, or with another scheme', async () => {
    await expectUnauthenticated(undefined, 'missing_token');
    await expectUnauthenticated('', 'missing_token');
    await expectUnauthenticated(`Basic ${Buffer.from('admin:admin').toString('base64')}`, 'missing_token');
    const plain = await postGraphQL(stack.url, VERSION);
    expect(plain.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses an expired token (beyond the clock-skew tolerance)', async () => {
    const { token } = await mintLocalToken(
      stack.config.auth,
      { userId: stack.users.researcherA.id, email: stack.users.researcherA.email, admin: false, memberships: [], ttlSeconds: 60 },
      new Date(Date.now() - 3600_000),
    );
    await expectUnauthenticated(`Bearer ${token}`, 'expired');
    await expectUnauthenticated(`Bearer ${await signed({ exp: nowSeconds() - 120 })}`, 'expired');
  });

  it('refuses a token signed with another secret, and one whose payload was altered after signing', async () => {
    await expectUnauthenticated(`Bearer ${await signed({ key: 'another-secret-that-is-long-enough-to-sign!!' })}`, 'bad_signature');
    // The researcher's genuine token with the payload swapped for the administrator's id: the signature no longer matches.
    const [header, payload, signature] = stack.users.researcherA.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: stack.users.admin.id, 'sg:admin': true }), 'utf8').toString('base64url');
    await expectUnauthenticated(`Bearer ${header}.${forged}.${signature}`, 'bad_signature');
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await expectUnauthenticated(`Bearer ${await signed({ aud: 'some-other-api' })}`, 'wrong_audience');
    await expectUnauthenticated(`Bearer ${await signed({ iss: 'https://evil.example.org/' })}`, 'wrong_issuer');
  });

  it('refuses alg "none" and garbage', async () => {
    const unsecured = new UnsecuredJWT({ email: stack.users.admin.email, 'sg:admin': true })
      .setSubject(stack.users.admin.id)
      .setIssuer(SECURITY_ISSUER)
      .setAudience(SECURITY_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    await expectUnauthenticated(`Bearer ${unsecured}`, 'algorithm_not_accepted');
    await expectUnauthenticated('Bearer not-a-jwt', 'malformed');
  });

  it('refuses a well-signed token naming a user that does not exist', async () => {
    await expectUnauthenticated(`Bearer ${await signed({ sub: '6f1c9a52-0b7e-4f7e-9d0c-2a4b5c6d7e8f' })}`, 'unknown_user');
  });

  it("accepts the identity provider's ES256 token and refuses one signed by a key outside its key set", async () => {
    const ok = await postGraphQL<{ studies: { totalCount: number } }>(
      stack.url,
      '{ studies { totalCount } }',
      {},
      { authorization: `Bearer ${await providerToken(providerKey, PROVIDER_KID)}` },
    );
    expect(ok.status).toBe(200);
    // A first sign-in creates a user with no memberships: authenticated, but sees nothing.
    expect(ok.body.data?.studies.totalCount).toBe(0);
    await expectUnauthenticated(`Bearer ${await providerToken(strangerKey, 'stranger-key')}`, 'unknown_key');
    // The right kid does not help a signature made with another key.
    await expectUnauthenticated(`Bearer ${await providerToken(strangerKey, PROVIDER_KID)}`, 'bad_signature');
  });
});

describe('HTTP routes beside GraphQL', () => {
  it('the submission export needs a valid token', async () => {
    const none = await fetch(`${stack.baseUrl}/exports/submission.csv`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const bad = await fetch(`${stack.baseUrl}/exports/submission.csv`, {
      headers: { authorization: `Bearer ${await signed({ aud: 'x' })}` },
    });
    expect(bad.status).toBe(401);
  });

  it('the queue board is for system administrators only', async () => {
    const none = await fetch(`${stack.baseUrl}/admin/queues`);
    expect(none.status).toBe(401);
    const researcher = await fetch(`${stack.baseUrl}/admin/queues`, { headers: stack.users.researcherA.headers });
    expect(researcher.status).toBe(403);
    // Its JSON API (job names, data, errors) is behind the same guard.
    const api = await fetch(`${stack.baseUrl}/admin/queues/api/queues`, { headers: stack.users.researcherA.headers });
    expect(api.status).toBe(403);
    const admin = await fetch(`${stack.baseUrl}/admin/queues`, { headers: stack.users.admin.headers });
    expect(admin.status).toBe(200);
  });
});

describe('outside production (control for the hardening suite)', () => {
  it('serves the landing page and introspection, which production turns off', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<!DOCTYPE html>/i);
    const schema = await postGraphQL<{ __schema: { queryType: { name: string } } }>(
      stack.url,
      '{ __schema { queryType { name } } }',
      {},
      stack.users.viewerA.headers,
    );
    expect(schema.body.data?.__schema.queryType.name).toBe('Query');
  });
});

describe('graphql-ws connections', () => {
  const SUBSCRIPTION = 'subscription { jobUpdated { id } }';

  /** Opens a connection with these connection_init params and reports how it ended (or that it was accepted). */
  async function connect(params: Readonly<Record<string, unknown>> | undefined): Promise<{ accepted: boolean; closeCode?: number }> {
    const client = stack.wsClient(params);
    const accepted = new Promise<{ accepted: boolean; closeCode?: number }>((resolve) => {
      client.on('connected', () => resolve({ accepted: true }));
      client.on('closed', (event) => resolve({ accepted: false, closeCode: (event as { code?: number }).code }));
    });
    const sub = recordSubscription(client, SUBSCRIPTION);
    const outcome = await accepted;
    sub.stop();
    await client.dispose();
    return outcome;
  }

  it('accepts a valid token in connection_init (control)', async () => {
    expect(await connect({ authorization: `Bearer ${stack.users.viewerA.token}` })).toEqual({ accepted: true });
    expect(await connect({ token: stack.users.viewerA.token })).toEqual({ accepted: true });
  });

  it('closes the connection with 4403 without a token or with a bad one', async () => {
    expect(await connect(undefined)).toEqual({ accepted: false, closeCode: 4403 });
    expect(await connect({ authorization: 'Bearer not-a-jwt' })).toEqual({ accepted: false, closeCode: 4403 });
    expect(await connect({ authorization: `Bearer ${await signed({ key: 'another-secret-that-is-long-enough-to-sign!!' })}` })).toEqual({
      accepted: false,
      closeCode: 4403,
    });
    expect(await connect({ token: await signed({ exp: nowSeconds() - 120 }) })).toEqual({ accepted: false, closeCode: 4403 });
    expect(await connect({ token: await signed({ aud: 'some-other-api' }) })).toEqual({ accepted: false, closeCode: 4403 });
  });
});
