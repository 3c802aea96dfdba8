// Where a request's token comes from (HTTP Authorization header, graphql-ws connection_init payload) and the
// one call that turns it into a Viewer. AUTH_MODE=off makes every caller the local administrator.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { AppError } from '../domain/errors.js';
import { LOCAL_ADMIN, type Viewer } from './viewer.js';
import { resolveViewer } from './resolve-viewer.js';
import { createTokenVerifier, type TokenVerifier } from './verify-token.js';

function missing(message: string): AppError {
  return new AppError('UNAUTHENTICATED', message, { details: { reason: 'missing_token' } });
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235). */
export function bearerTokenFromHeader(header: string | readonly string[] | undefined): string {
  if (header === undefined || header.length === 0) throw missing('Authentication required: send Authorization: Bearer <token>');
  if (typeof header !== 'string') throw missing('Send exactly one Authorization header');
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match?.[1]) throw missing('The Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The token of a graphql-ws `connection_init` payload: `{ authorization: 'Bearer <token>' }` (any case of the key,
 * as browsers' GraphQL clients send headers) or `{ token: '<token>' }`.
 */
export function bearerTokenFromConnectionParams(params: Readonly<Record<string, unknown>> | null | undefined): string {
  if (params && typeof params === 'object') {
    for (const [key, value] of Object.entries(params)) {
      if (key.toLowerCase() === 'authorization' && typeof value === 'string') return bearerTokenFromHeader(value);
    }
    if (typeof params.token === 'string' && params.token.length > 0) return params.token;
  }
  throw missing('Authentication required: send { authorization: "Bearer <token>" } in the connection_init payload');
}

export interface Authenticator {
  /** The Viewer of an HTTP request, from its Authorization header. */
  fromAuthorizationHeader(header: string | readonly string[] | undefined): Promise<Viewer>;
  /** The Viewer of a graphql-ws connection, from its connection_init payload. */
  fromConnectionParams(params: Readonly<Record<string, unknown>> | null | undefined): Promise<Viewer>;
}

/** One per process: the verifier caches the provider's keys. Rejections are AppError UNAUTHENTICATED. */
export function createAuthenticator(db: Database, auth: Config['auth'], verify?: TokenVerifier): Authenticator {
  if (auth.mode === 'off') {
    return { fromAuthorizationHeader: async () => LOCAL_ADMIN, fromConnectionParams: async () => LOCAL_ADMIN };
  }
  const verifyToken = verify ?? createTokenVerifier(auth);
  const viewerFor = async (token: string): Promise<Viewer> => resolveViewer(db, await verifyToken(token));
  return {
    fromAuthorizationHeader: async (header) => viewerFor(bearerTokenFromHeader(header)),
    fromConnectionParams: async (params) => viewerFor(bearerTokenFromConnectionParams(params)),
  };
}
