import { Redis, type RedisOptions } from 'ioredis';

/**
 * Workers block on Redis and must never give up a command (BullMQ requires maxRetriesPerRequest: null);
 * API-side clients fail fast so a mutation can answer SERVICE_UNAVAILABLE instead of hanging.
 */
export function createRedis(url: string, role: 'worker' | 'api'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 2000) };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  // Connection errors are reported through readiness and job mutations; without a listener ioredis would log them raw.
  redis.on('error', () => undefined);
  return redis;
}
