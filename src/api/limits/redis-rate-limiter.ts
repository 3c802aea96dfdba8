// The mutation rate limit shared by every API replica: the same sliding window as the in-memory limiter (at most
// `perMinute` events in any window, refused attempts not counted), kept in Redis as one sorted set of event times
// per key and updated by one Lua script, so concurrent requests on different replicas cannot both take the last slot.
// Times come from Redis's own clock, so replicas with skewed clocks agree. When Redis does not answer, each replica
// falls back to its own in-memory limiter: limited per process, as before, rather than not at all.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from './rate-limiter.js';

/** What the mutation plugin needs: a decision per key, now or soon. */
export interface AsyncRateLimiter {
  readonly perMinute: number;
  /** Counts `count` events (default 1) when all fit in the window, none otherwise. */
  tryConsume(key: string, count?: number): RateDecision | Promise<RateDecision>;
}

// KEYS[1]: the key's sorted set. ARGV: window ms, limit, a unique member suffix, the events to count.
// Returns {1, remaining} when all fit, {0, ms until enough events have left the window} when not (all or none).
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = tonumber(ARGV[4])
local n = redis.call('ZCARD', KEYS[1])
if n + count > limit then
  if count > limit then return {0, window} end
  local freeing = redis.call('ZRANGE', KEYS[1], n + count - limit - 1, n + count - limit - 1, 'WITHSCORES')
  return {0, tonumber(freeing[2]) + window - now}
end
for i = 1, count do
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3] .. '-' .. i)
end
redis.call('PEXPIRE', KEYS[1], window)
return {1, limit - n - count}
`;

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  /** The deployment's key prefix (QUEUE_PREFIX). */
  readonly prefix: string;
  /** Names the limit within the prefix, e.g. `mutations`. */
  readonly name: string;
  readonly perMinute: number;
  /** Defaults to 60 000 ms; shorter windows make tests fast. */
  readonly windowMs?: number;
  /** Used while Redis does not answer. */
  readonly fallback: RateLimiter;
  /** How long to wait for Redis before deciding locally. */
  readonly timeoutMs?: number;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): AsyncRateLimiter {
  const { redis, perMinute, fallback } = options;
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`perMinute must be a positive integer, got ${perMinute}`);
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 500;
  // Keys are users' ids or e-mail addresses: hashed, so no address appears in Redis key names.
  const keyOf = (key: string): string =>
    `${options.prefix}:ratelimit:${options.name}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

  return {
    perMinute,
    async tryConsume(key, count = 1) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = (await Promise.race([
          redis.eval(SLIDING_WINDOW, 1, keyOf(key), windowMs, perMinute, randomBytes(6).toString('hex'), count),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
          }),
        ])) as [number, number];
        const [allowed, value] = answer;
        return allowed === 1
          ? { allowed: true, remaining: value }
          : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(value / 1000)) };
      } catch {
        return fallback.tryConsume(key, count);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
