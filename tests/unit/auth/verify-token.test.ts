import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Config } from '../../../src/config.js';
import { AppError } from '../../../src/domain/errors.js';
import { createTokenVerifier } from '../../../src/auth/verify-token.js';
import { TEST_JWT_SECRET } from '../../support/test-config.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';

const ISSUER = 'https://idp.example.org/';
const AUDIENCE = 'spinegraph-api';
const secretKey = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

function authConfig(over: Partial<Config['auth']> = {}): Config['auth'] {
  return { mode: 'jwt', secret: TEST_JWT_SECRET, jwksUrl: undefined, issuer: ISSUER, audience: AUDIENCE, ...over };
}

function hs256(payload: JWTPayload, options: { key?: Uint8Array; exp?: number; iss?: string; aud?: string; alg?: string } = {}) {
  const jwt = new SignJWT({ email: 'Alice@Example.org', ...payload })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 600)
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE);
  if (payload.sub === undefined) jwt.setSubject('alice');
  return jwt.sign(options.key ?? secretKey);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function expectRejected(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await rejection(promise);
  expect(error.code).toBe('UNAUTHENTICATED');
  expect(error.details?.reason).toBe(reason);
}

describe('HS256 tokens with the shared secret', () => {
  const verify = createTokenVerifier(authConfig());

  it('accepts a valid token and reads its claims', async () => {
    const token = await hs256({
      sub: 'alice',
      name: 'Alice',
      'sg:admin': true,
      'sg:memberships': [{ project: 'cohort-a', role: 'RESEARCHER' }, { project: 'bad', role: 'OWNER' }, 'junk'],
    });
    const claims = await verify(token);
    expect(claims).toMatchObject({
      sub: 'alice',
      email: 'alice@example.org',
      name: 'Alice',
      verifiedWith: 'secret',
      issuer: ISSUER,
      admin: true,
    });
    expect(claims.memberships).toEqual([{ project: 'cohort-a', role: 'RESEARCHER' }]);
    expect(claims.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses an expired token, but tolerates 30 s of clock skew', async () => {
    await expectRejected(verify(await hs256({}, { exp: now() - 45 })), 'expired');
    await expect(verify(await hs256({}, { exp: now() - 15 }))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('refuses a token that is not valid yet beyond the skew', async () => {
    await expectRejected(verify(await hs256({ nbf: now() + 120 })), 'not_yet_valid');
    await expect(verify(await hs256({ nbf: now() + 10 }))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('refuses a token signed with another secret, and a tampered payload', async () => {
    await expectRejected(
      verify(await hs256({}, { key: new TextEncoder().encode('another-secret-of-at-least-32-characters') })),
      'bad_signature',
    );
    const [header, , signature] = (await hs256({ sub: 'alice' })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: now() + 600, iss: ISSUER, aud: AUDIENCE })).toString('base64url');
    await expectRejected(verify(`${header}.${forged}.${signature}`), 'bad_signature');
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    await expectRejected(verify(await hs256({}, { aud: 'another-api' })), 'wrong_audience');
    await expectRejected(verify(await hs256({}, { iss: 'https://evil.example.org/' })), 'wrong_issuer');
  });

  it('refuses alg none and algorithms outside the pinned list', async () => {
    const unsecured = new UnsecuredJWT({ sub: 'alice', iss: ISSUER, aud: AUDIENCE }).setExpirationTime('10m').encode();
    await expectRejected(verify(unsecured), 'algorithm_not_accepted');
    await expectRejected(verify(await hs256({}, { alg: 'HS512' })), 'algorithm_not_accepted');
  });

  it('refuses tokens without sub or exp, and malformed input', async () => {
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(secretKey);
    await expectRejected(verify(noSub), 'missing_claim');
    const noExp = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(secretKey);
    await expectRejected(verify(noExp), 'missing_claim');
    for (const junk of ['', 'abc', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.!!!.x', 'x'.repeat(20_000)])
      await expectRejected(verify(junk), 'malformed');
  });

  it('checks issuer and audience only when configured', async () => {
    const lax = createTokenVerifier(authConfig({ issuer: undefined, audience: undefined }));
    await expect(lax(await hs256({}, { iss: 'anyone', aud: 'anything' }))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('needs a secret or a JWKS URL', () => {
    expect(() => createTokenVerifier(authConfig({ secret: undefined }))).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
  });
});

describe('RS256 and ES256 tokens against a JWKS', () => {
  let jwks: JwksServer;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };

  const signed = (alg: 'RS256' | 'ES256', key: CryptoKey, kid: string, payload: JWTPayload = {}) =>
    new SignJWT({ email: 'bob@example.org', sub: 'oidc|bob', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 300, ...payload })
      .setProtectedHeader({ alg, kid })
      .sign(key);

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    const keys: JWK[] = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = await startJwksServer(keys);
  });

  afterAll(async () => {
    await jwks?.close();
  });

  it('accepts RS256 and ES256 tokens signed by keys of the set', async () => {
    const verify = createTokenVerifier(authConfig({ secret: undefined, jwksUrl: jwks.url }));
    await expect(verify(await signed('RS256', rsa.privateKey, 'rsa-1'))).resolves.toMatchObject({
      sub: 'oidc|bob',
      verifiedWith: 'jwks',
      email: 'bob@example.org',
    });
    await expect(verify(await signed('ES256', ec.privateKey, 'ec-1'))).resolves.toMatchObject({ sub: 'oidc|bob', verifiedWith: 'jwks' });
    expect(jwks.requests).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token signed by a key outside the set, and an unknown kid', async () => {
    const verify = createTokenVerifier(authConfig({ secret: undefined, jwksUrl: jwks.url }));
    const stranger = await generateKeyPair('RS256');
    await expectRejected(verify(await signed('RS256', stranger.privateKey, 'rsa-1')), 'bad_signature');
    await expectRejected(verify(await signed('RS256', stranger.privateKey, 'rsa-9')), 'unknown_key');
  });

  it('applies audience, issuer and expiry to provider tokens too', async () => {
    const verify = createTokenVerifier(authConfig({ secret: undefined, jwksUrl: jwks.url }));
    await expectRejected(verify(await signed('RS256', rsa.privateKey, 'rsa-1', { aud: 'other' })), 'wrong_audience');
    await expectRejected(verify(await signed('ES256', ec.privateKey, 'ec-1', { iss: 'https://evil/' })), 'wrong_issuer');
    await expectRejected(verify(await signed('RS256', rsa.privateKey, 'rsa-1', { exp: now() - 60 })), 'expired');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const confused = await new SignJWT({ sub: 'oidc|bob' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(pem);
    // Only a JWKS configured: HS256 has no key at all.
    await expectRejected(createTokenVerifier(authConfig({ secret: undefined, jwksUrl: jwks.url }))(confused), 'algorithm_not_accepted');
    // Secret and JWKS both configured: HS256 is checked against the secret only.
    await expectRejected(createTokenVerifier(authConfig({ jwksUrl: jwks.url }))(confused), 'bad_signature');
  });

  it('accepts both kinds when both keys are configured, and refuses RS256 when only the secret is', async () => {
    const both = createTokenVerifier(authConfig({ jwksUrl: jwks.url }));
    await expect(both(await hs256({}))).resolves.toMatchObject({ verifiedWith: 'secret' });
    await expect(both(await signed('RS256', rsa.privateKey, 'rsa-1'))).resolves.toMatchObject({ verifiedWith: 'jwks' });
    await expectRejected(createTokenVerifier(authConfig())(await signed('RS256', rsa.privateKey, 'rsa-1')), 'algorithm_not_accepted');
  });

  it('reports an unreachable key set as SERVICE_UNAVAILABLE, not as a bad token', async () => {
    const down = await startJwksServer([]);
    const url = down.url;
    await down.close();
    const verify = createTokenVerifier(authConfig({ secret: undefined, jwksUrl: url }));
    const error = await rejection(verify(await signed('RS256', rsa.privateKey, 'rsa-1')));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
