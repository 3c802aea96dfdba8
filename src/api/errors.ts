// How errors leave the API: every error carries extensions.code; internals (stack traces, SQL) stay in logs.
import type { GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable, isInvalidValue } from '../db/database-errors.js';
import { isAppError } from '../domain/errors.js';

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is not reachable at the moment; retry shortly';
export const INVALID_VALUE_MESSAGE = 'A value in the request is not valid (an id or a cursor this API did not issue)';

/** The AppError inside `error`, or what a database error means to the caller (an outage, a malformed value). */
function findAppError(error: unknown): ReturnType<typeof asApp> {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const app = asApp(current);
    if (app) return app;
    current = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  if (isDatabaseUnavailable(error)) return { code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE };
  if (isInvalidValue(error)) return { code: 'BAD_USER_INPUT', message: INVALID_VALUE_MESSAGE };
  return undefined;
}

function asApp(e: unknown): { code: string; message: string; details?: Readonly<Record<string, unknown>> } | undefined {
  return isAppError(e) ? { code: e.code, message: e.message, details: e.details } : undefined;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown, exposeInternals: boolean): GraphQLFormattedError {
  const app = findAppError(error);
  if (app) {
    return {
      message: app.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: app.code, ...(app.details ? { details: app.details } : {}) },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // Apollo's and graphql-js's own codes (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, ...): keep message and code.
    return exposeInternals
      ? formatted
      : { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  if (exposeInternals) return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } };
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** The code a client is shown for this error: the AppError's found inside it, else its own extensions.code. */
export function errorCodeOf(error: unknown): string {
  const app = findAppError(error);
  if (app) return app.code;
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
