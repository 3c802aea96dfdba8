// Apollo answers an error thrown while building the context with HTTP 500 unless the error names its status.
// An authentication failure is the caller's: 401 with WWW-Authenticate (RFC 6750); an unreachable key set is 503.
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { AppError, isAppError } from '../domain/errors.js';

/** Wrap what `Authenticator` threw before rethrowing it from Apollo's `context` function. */
export function toHttpAuthError(thrown: unknown): unknown {
  // Memberships cannot be read while the database is down: the request is not refused, it is to be retried.
  const error =
    !isAppError(thrown) && isDatabaseUnavailable(thrown)
      ? new AppError('SERVICE_UNAVAILABLE', 'The database is not reachable at the moment; retry shortly', {
          retryable: true,
          cause: thrown,
        })
      : thrown;
  if (!isAppError(error)) return error;
  if (error.code === 'UNAUTHENTICATED') {
    const challenge = error.details?.reason === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"';
    return new GraphQLError(error.message, {
      originalError: error,
      extensions: { code: error.code, http: { status: 401, headers: new HeaderMap([['www-authenticate', challenge]]) } },
    });
  }
  if (error.code === 'SERVICE_UNAVAILABLE') {
    return new GraphQLError(error.message, {
      originalError: error,
      extensions: { code: error.code, http: { status: 503, headers: new HeaderMap() } },
    });
  }
  return error;
}
