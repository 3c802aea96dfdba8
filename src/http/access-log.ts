// One access log line per HTTP request, when its response is finished: method, path (no query string: filters
// stay out of logs), GraphQL operation name, status, duration, request id and a hash of the user id (who, without
// naming them). 5xx answers are logged at warn level so an alert can be set on them.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { requestIdOf } from './request-id.js';

const OPERATION = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/** Set by whoever authenticated the request (the GraphQL context, a route), so the log line can say who. */
export function noteUser(res: Response, userId: string | null): void {
  if (userId) res.locals.userId = userId;
}

export function userIdHash(userId: string): string {
  return createHash('sha256').update(`user:${userId}`).digest('hex').slice(0, 16);
}

function operationOf(req: Request): string | null {
  const body = req.body as { operationName?: unknown; query?: unknown } | undefined;
  if (!body || typeof body !== 'object') return null;
  if (typeof body.operationName === 'string' && body.operationName) return body.operationName.slice(0, 100);
  if (typeof body.query !== 'string') return null;
  const match = OPERATION.exec(body.query);
  return match ? (match[2] as string) : /^\s*mutation\b/.test(body.query) ? 'mutation' : 'query';
}

export function accessLog(logger: Logger): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const userId = typeof res.locals.userId === 'string' ? res.locals.userId : null;
      const entry = {
        requestId: requestIdOf(res),
        method: req.method,
        path: req.originalUrl.split('?')[0],
        operation: req.originalUrl.startsWith('/graphql') ? operationOf(req) : null,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        user: userId ? userIdHash(userId) : null,
      };
      if (res.statusCode >= 500) logger.warn(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}
