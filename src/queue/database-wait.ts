// A job meets a database outage: it waits (backoff 0.25 s doubling to 5 s) and carries on where it was, rather than
// failing: its row stays QUEUED or RUNNING and its queue entry stays active (the worker keeps renewing the lock
// through Redis). Only an outage longer than `maxWaitMs` ends the wait, with a retryable SERVICE_UNAVAILABLE that
// BullMQ retries like any transient failure.
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../logger.js';

export interface DatabaseWaitOptions {
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** How long one outage may last before the attempt gives up (default 10 minutes). */
  readonly maxWaitMs?: number;
}

export const DEFAULT_MAX_DATABASE_WAIT_MS = 10 * 60_000;

/** Runs `fn`; while it fails because the database is unavailable, waits and runs it again. */
export async function untilDatabaseAnswers<T>(what: string, fn: () => Promise<T>, options: DatabaseWaitOptions): Promise<T> {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_DATABASE_WAIT_MS;
  let since: number | null = null;
  let delay = 250;
  for (;;) {
    try {
      const value = await fn();
      if (since !== null) options.logger.info({ what, waitedMs: Math.round(performance.now() - since) }, 'database back; job resumes');
      return value;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (since === null) {
        since = performance.now();
        options.logger.warn({ what, err: error instanceof Error ? error.message : String(error) }, 'database unavailable; job waits');
      }
      if (performance.now() - since > maxWaitMs)
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          `The database was unavailable for more than ${Math.round(maxWaitMs / 1000)} s (${what})`,
          {
            retryable: true,
            cause: error,
          },
        );
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
      if (options.signal?.aborted) throw error;
      delay = Math.min(5_000, delay * 2);
    }
  }
}
