import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.js';
import type { Database } from '../../../src/db/client.js';
import { LOCAL_ADMIN } from '../../../src/auth/viewer.js';
import { bearerTokenFromConnectionParams, bearerTokenFromHeader, createAuthenticator } from '../../../src/auth/authenticate.js';
import { assertAuthModeAllowed, isLoopbackHost } from '../../../src/auth/auth-mode.js';

const missingToken = { code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } };

describe('bearerTokenFromHeader', () => {
  it('takes the token of a Bearer header, any case of the scheme', () => {
    expect(bearerTokenFromHeader('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenFromHeader('bearer   abc.def.ghi ')).toBe('abc.def.ghi');
  });

  it('refuses a missing, empty, repeated or non-Bearer header as UNAUTHENTICATED', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwdw==', 'Bearer', 'Bearer a b', 'Token abc', ['Bearer a', 'Bearer b']]) {
      expect(() => bearerTokenFromHeader(header)).toThrow(expect.objectContaining(missingToken));
    }
  });
});

describe('bearerTokenFromConnectionParams', () => {
  it('reads authorization (any key case) or token', () => {
    expect(bearerTokenFromConnectionParams({ authorization: 'Bearer t1' })).toBe('t1');
    expect(bearerTokenFromConnectionParams({ Authorization: 'Bearer t2' })).toBe('t2');
    expect(bearerTokenFromConnectionParams({ token: 't3' })).toBe('t3');
  });

  it('refuses a payload without a token', () => {
    for (const params of [undefined, null, {}, { token: '' }, { token: 42 }, { authorization: 'Basic x' }]) {
      expect(() => bearerTokenFromConnectionParams(params)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    }
  });
});

describe('createAuthenticator', () => {
  const noDb = {} as Database;
  const auth = (mode: 'jwt' | 'off'): Config['auth'] => ({
    mode,
    secret: 'x'.repeat(32),
    jwksUrl: undefined,
    issuer: undefined,
    audience: undefined,
  });

  it('makes every caller the local administrator when AUTH_MODE=off', async () => {
    const authenticator = createAuthenticator(noDb, auth('off'));
    await expect(authenticator.fromAuthorizationHeader(undefined)).resolves.toBe(LOCAL_ADMIN);
    await expect(authenticator.fromConnectionParams(null)).resolves.toBe(LOCAL_ADMIN);
  });

  it('refuses a request without a token before any verification when AUTH_MODE=jwt', async () => {
    let verified = 0;
    const authenticator = createAuthenticator(noDb, auth('jwt'), async () => {
      verified++;
      throw new Error('not reached');
    });
    await expect(authenticator.fromAuthorizationHeader(undefined)).rejects.toMatchObject(missingToken);
    await expect(authenticator.fromConnectionParams({})).rejects.toMatchObject(missingToken);
    expect(verified).toBe(0);
  });
});

describe('AUTH_MODE=off is loopback only', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'api.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1', '::2']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses to start off on a reachable address, and allows jwt anywhere', () => {
    const offAuth = { mode: 'off', secret: undefined, jwksUrl: undefined, issuer: undefined, audience: undefined } as const;
    const http = (host: string) => ({ host, port: 4000, bodyLimit: '1mb' });
    expect(() => assertAuthModeAllowed({ auth: offAuth, http: http('0.0.0.0') })).toThrow(/AUTH_MODE=off is for local use only/);
    expect(() => assertAuthModeAllowed({ auth: offAuth, http: http('127.0.0.1') })).not.toThrow();
    expect(() => assertAuthModeAllowed({ auth: { ...offAuth, mode: 'jwt' }, http: http('0.0.0.0') })).not.toThrow();
  });
});
