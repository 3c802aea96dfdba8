// The mutation rate limit across API replicas: two limiters on one Redis (as two replicas) share one sliding window
// per user, refuse concurrent requests beyond it, let a user back in when the oldest event leaves the window, keep
// users apart, write no user identity into Redis key names, and fall back to their own window when Redis is away.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/api/limits/rate-limiter.js';
import { createRedisRateLimiter } from '../../src/api/limits/redis-rate-limiter.js';
import { freePort } from '../support/private-redis.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';

const prefix = uniquePrefix();
let redis: Redis;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await deleteKeysWithPrefix(prefix);
});

const replica = (perMinute: number, windowMs = 60_000) =>
  createRedisRateLimiter({ redis, prefix, name: 'mutations', perMinute, windowMs, fallback: createRateLimiter({ perMinute, windowMs }) });

describe('Redis-backed rate limiter', () => {
  it('shares one window between replicas: three allowed in all, the fourth refused on either', async () => {
    const [a, b] = [replica(3), replica(3)];
    expect(await a.tryConsume('alice@example.org')).toEqual({ allowed: true, remaining: 2 });
    expect(await b.tryConsume('alice@example.org')).toEqual({ allowed: true, remaining: 1 });
    expect(await a.tryConsume('alice@example.org')).toEqual({ allowed: true, remaining: 0 });
    for (const r of [a, b]) {
      const refused = await r.tryConsume('alice@example.org');
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    }
    // Another user has a window of their own.
    expect(await b.tryConsume('bob@example.org')).toEqual({ allowed: true, remaining: 2 });
  });

  it('counts a request of several fields as that many events, all or none', async () => {
    const [a, b] = [replica(5), replica(5)];
    expect(await a.tryConsume('multi', 3)).toEqual({ allowed: true, remaining: 2 });
    const refused = await b.tryConsume('multi', 3);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(await b.tryConsume('multi', 2)).toEqual({ allowed: true, remaining: 0 });
    expect(await a.tryConsume('other', 6)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('lets exactly the limit through when many requests race on several replicas', async () => {
    const replicas = [replica(5), replica(5), replica(5)];
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => replicas[i % 3]!.tryConsume('racer')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('lets a user back in once the oldest event has left the window; refused attempts do not count', async () => {
    const r = replica(2, 1000);
    expect((await r.tryConsume('carol')).allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await r.tryConsume('carol')).allowed).toBe(true);
    expect(await r.tryConsume('carol')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // The first event has left the window, the second has not; the refused attempt took no slot.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await r.tryConsume('carol')).toEqual({ allowed: true, remaining: 0 });
  });

  it('writes no user identity into Redis, and its keys expire with the window', async () => {
    await replica(3).tryConsume('dave@example.org');
    const keys = await redis.keys(`${prefix}:ratelimit:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toMatch(/@|alice|bob|carol|dave/);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it('falls back to its own window when Redis does not answer', async () => {
    const down = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    down.on('error', () => undefined);
    const r = createRedisRateLimiter({
      redis: down,
      prefix,
      name: 'mutations',
      perMinute: 2,
      fallback: createRateLimiter({ perMinute: 2 }),
      timeoutMs: 300,
    });
    try {
      expect((await r.tryConsume('erin')).allowed).toBe(true);
      expect((await r.tryConsume('erin')).allowed).toBe(true);
      expect((await r.tryConsume('erin')).allowed).toBe(false);
    } finally {
      down.disconnect();
    }
  });
});
