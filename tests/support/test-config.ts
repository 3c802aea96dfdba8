import { loadConfig, type Config } from '../../src/config.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

/** A configuration as the server would load it, from a small environment of the test's own. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'off', PORT: '0', ...env });
}
