// The last express handler: errors no route answered (a body over BODY_LIMIT, malformed JSON, a failing admin
// page) leave as GraphQL-shaped JSON with a code, never as express's default HTML page, which shows the stack
// whenever the process's NODE_ENV is not "production", whatever the server's configuration says.
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../api/errors.js';
import type { Logger } from '../logger.js';
import { requestIdOf } from './request-id.js';

interface HttpError {
  readonly status?: unknown;
  readonly type?: unknown;
  readonly limit?: unknown;
}

/** The last handler; a 5xx is logged once here, with the request id (routes that answer errors themselves log theirs). */
export function jsonErrorHandler(logger: Logger): (error: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (error, req, res, next) => answerError(logger, error, req, res, next);
}

function answerError(logger: Logger, error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  if (isDatabaseUnavailable(error)) {
    res.status(503).json({ errors: [{ message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    return;
  }
  const e = (error ?? {}) as HttpError;
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
  let body: { message: string; extensions: Record<string, unknown> };
  if (status === 413) {
    body = {
      message: 'The request body is too large',
      extensions: { code: 'BAD_USER_INPUT', details: { limit: 'BODY_SIZE', maxBytes: e.limit } },
    };
  } else if (e.type === 'entity.parse.failed') {
    body = { message: 'The request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } };
  } else if (status < 500) {
    body = { message: 'The request could not be read', extensions: { code: 'BAD_USER_INPUT' } };
  } else {
    body = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    logger.error({ requestId: requestIdOf(res), status, err: error }, 'request failed with an internal error');
  }
  res.status(status).json({ errors: [body] });
}
