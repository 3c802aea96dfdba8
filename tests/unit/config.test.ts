import { describe, expect, it } from 'vitest';
import { assertServable, ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('uses the embedded database when DATABASE_URL is unset', () => {
    const config = loadConfig({ AUTH_MODE: 'off', DATA_DIR: '/tmp/sg-data' });
    expect(config.database).toEqual({ kind: 'pglite', dir: '/tmp/sg-data/db' });
    expect(config.http.port).toBe(4000);
    expect(config.redis.prefix).toBe('spinegraph');
  });

  it('turns onnxruntime spinning off unless INFERENCE_SPINNING=on', () => {
    expect(loadConfig({ AUTH_MODE: 'off' }).inference.spinning).toBe(false);
    expect(loadConfig({ AUTH_MODE: 'off', INFERENCE_SPINNING: 'on' }).inference.spinning).toBe(true);
  });

  it('saves optimised onnxruntime graphs under DATA_DIR unless INFERENCE_GRAPH_CACHE=off', () => {
    expect(loadConfig({ AUTH_MODE: 'off', DATA_DIR: '/tmp/sg-data' }).inference.graphCacheDir).toBe('/tmp/sg-data/onnx-graphs');
    expect(loadConfig({ AUTH_MODE: 'off', INFERENCE_GRAPH_CACHE: 'off' }).inference.graphCacheDir).toBeUndefined();
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ AUTH_MODE: 'off', DATABASE_URL: 'postgresql://u@h:5432/d' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgresql://u@h:5432/d' });
  });

  it.each([
    ['PORT', 'not-a-port'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['AUTH_MODE', 'maybe'],
    ['INFERENCE_PROVIDER', 'tpu'],
    ['INFERENCE_SPINNING', 'yes'],
    ['INFERENCE_GRAPH_CACHE', 'yes'],
    ['QUEUE_PREFIX', 'has space'],
  ])('names the bad variable %s=%s', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ AUTH_MODE: 'off', [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
  });

  it('requires a JWT secret or JWKS URL to serve when auth is on', () => {
    expect(() => assertServable(loadConfig({}))).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
    expect(() => assertServable(loadConfig({ JWT_SECRET: 'x'.repeat(32) }))).not.toThrow();
    expect(() => assertServable(loadConfig({ AUTH_MODE: 'off' }))).not.toThrow();
  });

  it('refuses the development patient key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'off' })).toThrow(/PATIENT_KEY_SECRET/);
  });

  it('is frozen', () => {
    const config = loadConfig({ AUTH_MODE: 'off' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('turns introspection off in production unless enabled', () => {
    const base = { NODE_ENV: 'production', AUTH_MODE: 'off', PATIENT_KEY_SECRET: 'a-real-secret-of-sorts' };
    expect(loadConfig(base).graphql.introspection).toBe(false);
    expect(loadConfig({ ...base, GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });
});

describe('JOB_MODE', () => {
  it('runs jobs in-process on the embedded database without Redis, on BullMQ otherwise, as told when told', () => {
    expect(loadConfig({ AUTH_MODE: 'off' }).jobs.mode).toBe('in-process');
    expect(loadConfig({ AUTH_MODE: 'off', REDIS_URL: 'redis://r:6379' }).jobs.mode).toBe('queue');
    expect(loadConfig({ AUTH_MODE: 'off', DATABASE_URL: 'postgresql://u@h/d' }).jobs.mode).toBe('queue');
    expect(loadConfig({ AUTH_MODE: 'off', DATABASE_URL: 'postgresql://u@h/d', JOB_MODE: 'in-process' }).jobs.mode).toBe('in-process');
    expect(loadConfig({ AUTH_MODE: 'off', DATABASE_URL: 'postgresql://u@h/d' }).redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('reads an empty value as unset, as .env files write it', () => {
    expect(() => loadConfig({ AUTH_MODE: 'off', JWT_SECRET: '', JWT_JWKS_URL: '', REDIS_URL: '' })).not.toThrow();
    expect(loadConfig({ AUTH_MODE: 'off', REDIS_URL: '' }).jobs.mode).toBe('in-process');
  });
});
