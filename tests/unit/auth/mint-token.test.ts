import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Config } from '../../../src/config.js';
import { MAX_TOKEN_TTL_SECONDS, mintLocalToken, parseTtl } from '../../../src/auth/mint-token.js';
import { createTokenVerifier } from '../../../src/auth/verify-token.js';
import { TEST_JWT_SECRET } from '../../support/test-config.js';

const auth: Config['auth'] = {
  mode: 'jwt',
  secret: TEST_JWT_SECRET,
  jwksUrl: undefined,
  issuer: 'spinegraph-test',
  audience: 'spinegraph-api',
};
const input = {
  userId: '8d7c6b5a-4f3e-4d2c-9b1a-0123456789ab',
  email: 'alice@example.org',
  admin: false,
  memberships: [{ project: 'cohort-a', role: 'RESEARCHER' as const }],
  ttlSeconds: 3600,
};

describe('mintLocalToken', () => {
  it('round-trips through the verifier of the same configuration', async () => {
    const { token, expiresAt } = await mintLocalToken(auth, input);
    const claims = await createTokenVerifier(auth)(token);
    expect(claims).toMatchObject({
      sub: input.userId,
      email: input.email,
      admin: false,
      verifiedWith: 'secret',
      issuer: 'spinegraph-test',
    });
    expect(claims.memberships).toEqual(input.memberships);
    expect(claims.expiresAt.getTime()).toBe(expiresAt.getTime());
  });

  it('writes HS256, iat, exp = iat + ttl, iss and aud', async () => {
    const at = new Date('2030-01-02T03:04:05Z');
    const { token, expiresAt } = await mintLocalToken(auth, { ...input, ttlSeconds: 8 * 3600 }, at);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decodeJwt(token);
    expect(payload.iat).toBe(at.getTime() / 1000);
    expect(payload.exp).toBe(at.getTime() / 1000 + 8 * 3600);
    expect(payload).toMatchObject({ iss: 'spinegraph-test', aud: 'spinegraph-api', 'sg:admin': false });
    expect(expiresAt.toISOString()).toBe('2030-01-02T11:04:05.000Z');
  });

  it('is not accepted by a verifier with another secret or audience', async () => {
    const { token } = await mintLocalToken(auth, input);
    await expect(createTokenVerifier({ ...auth, secret: 'x'.repeat(40) })(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(createTokenVerifier({ ...auth, audience: 'other' })(token)).rejects.toMatchObject({
      details: { reason: 'wrong_audience' },
    });
  });

  it('needs JWT_SECRET and a bounded lifetime', async () => {
    await expect(mintLocalToken({ ...auth, secret: undefined }, input)).rejects.toThrow(/JWT_SECRET is not set/);
    await expect(mintLocalToken(auth, { ...input, ttlSeconds: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(mintLocalToken(auth, { ...input, ttlSeconds: MAX_TOKEN_TTL_SECONDS + 1 })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});

describe('parseTtl', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseTtl('90')).toBe(90);
    expect(parseTtl('90s')).toBe(90);
    expect(parseTtl('30m')).toBe(1800);
    expect(parseTtl(' 8h ')).toBe(28_800);
    expect(parseTtl('7d')).toBe(604_800);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '8 h', '1w', '-5m', '1.5h', 'h']) expect(() => parseTtl(bad)).toThrow(/TTL/);
  });
});
