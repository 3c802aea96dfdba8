// A sliding-window rate limiter per key (a user id): at most `perMinute` events in any 60 s. Exact (it keeps the
// times of the allowed events, at most perMinute per key), in memory and per process: the API's limiter when it runs
// without Redis, and the fallback of the Redis-backed one that replicas share (redis-rate-limiter.ts) while Redis
// does not answer. Refused attempts are not counted, so a client that backs off for retryAfterSeconds gets through.
import { AppError } from '../../domain/errors.js';

export type RateDecision =
  { readonly allowed: true; readonly remaining: number } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  readonly perMinute: number;
  /** Counts `count` events (default 1) for `key` when all fit in the window, none otherwise; never throws. */
  tryConsume(key: string, count?: number): RateDecision;
  /** Counts one event for `key`; throws AppError RATE_LIMITED with details.retryAfterSeconds when over the limit. */
  consume(key: string): void;
  /** Keys currently tracked (for tests and metrics). */
  size(): number;
}

export interface RateLimiterOptions {
  readonly perMinute: number;
  /** Defaults to 60 000 ms; shorter windows make tests fast. */
  readonly windowMs?: number;
  readonly now?: () => number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perMinute } = options;
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`perMinute must be a positive integer, got ${perMinute}`);
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  /** Times of allowed events per key, oldest first. */
  const events = new Map<string, number[]>();
  let lastSweep = now();

  // Keys of users who stopped calling would otherwise stay forever; drop them at most once per window.
  const sweep = (t: number): void => {
    if (t - lastSweep < windowMs) return;
    lastSweep = t;
    for (const [key, times] of events) if ((times.at(-1) ?? -Infinity) <= t - windowMs) events.delete(key);
  };

  const tryConsume = (key: string, count = 1): RateDecision => {
    const t = now();
    sweep(t);
    const times = events.get(key) ?? [];
    let expired = 0;
    while (expired < times.length && (times[expired] as number) <= t - windowMs) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length + count > perMinute) {
      // More than the window holds can never pass: wait a whole window (the message says why).
      if (count > perMinute) return { allowed: false, retryAfterSeconds: Math.ceil(windowMs / 1000) };
      // Room for `count` once the oldest (times.length + count - perMinute) events have left the window.
      const freeing = times[times.length + count - perMinute - 1] as number;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freeing + windowMs - t) / 1000)) };
    }
    for (let i = 0; i < count; i++) times.push(t);
    events.set(key, times);
    return { allowed: true, remaining: perMinute - times.length };
  };

  return {
    perMinute,
    tryConsume,
    consume(key) {
      const decision = tryConsume(key);
      if (!decision.allowed) {
        throw new AppError('RATE_LIMITED', `Too many requests: at most ${perMinute} per minute; retry in ${decision.retryAfterSeconds} s`, {
          retryable: true,
          details: { retryAfterSeconds: decision.retryAfterSeconds, limitPerMinute: perMinute },
        });
      }
    },
    size: () => events.size,
  };
}
