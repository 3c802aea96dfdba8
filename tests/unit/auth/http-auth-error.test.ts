// Through a real Apollo Server's HTTP entry point: a failed authentication in the context function is a 401
// with the project's error shape, not a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSchema } from 'graphql';
import { formatError } from '../../../src/api/errors.js';
import type { Viewer } from '../../../src/auth/viewer.js';
import { createAuthenticator } from '../../../src/auth/authenticate.js';
import { toHttpAuthError } from '../../../src/auth/http-auth-error.js';
import type { Database } from '../../../src/db/client.js';
import { unavailable } from '../../../src/domain/errors.js';

let server: ApolloServer<{ viewer: Viewer }>;

beforeAll(async () => {
  server = new ApolloServer<{ viewer: Viewer }>({
    schema: buildSchema('type Query { version: String }'),
    rootValue: { version: () => '1' },
    formatError: (formatted, error) => formatError(formatted, error, false),
  });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
});

async function post(authorization: string | undefined, fail?: unknown) {
  const headers = new HeaderMap([['content-type', 'application/json']]);
  if (authorization) headers.set('authorization', authorization);
  const authenticator = createAuthenticator({} as Database, {
    mode: 'jwt',
    secret: 'x'.repeat(32),
    jwksUrl: undefined,
    issuer: undefined,
    audience: undefined,
  });
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query: '{ version }' } },
    context: async () => {
      try {
        if (fail) throw fail;
        return { viewer: await authenticator.fromAuthorizationHeader(headers.get('authorization')) };
      } catch (e) {
        throw toHttpAuthError(e);
      }
    },
  });
  const body =
    response.body.kind === 'complete' ? (JSON.parse(response.body.string) as { errors?: { message: string; extensions: unknown }[] }) : {};
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body };
}

describe('toHttpAuthError', () => {
  it('answers a missing token with 401, a Bearer challenge and UNAUTHENTICATED', async () => {
    const { status, challenge, body } = await post(undefined);
    expect(status).toBe(401);
    expect(challenge).toBe('Bearer');
    expect(body.errors?.[0]?.message).toBe('Authentication required: send Authorization: Bearer <token>');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } });
  });

  it('answers a bad token with 401 invalid_token', async () => {
    const { status, challenge, body } = await post('Bearer not.a.jwt');
    expect(status).toBe(401);
    expect(challenge).toBe('Bearer error="invalid_token"');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', details: { reason: 'malformed' } });
  });

  it('answers an unreachable identity provider with 503', async () => {
    const { status, body } = await post('Bearer x', unavailable('keys could not be fetched'));
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('leaves other errors alone', () => {
    const other = new Error('boom');
    expect(toHttpAuthError(other)).toBe(other);
  });
});
