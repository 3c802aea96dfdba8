// AUTH_MODE=off makes every caller an administrator of everything, so it is refused on any address other
// machines could reach.
import { isIP } from 'node:net';
import type { Config } from '../config.js';

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h);
  return false;
}

/** Throws (at start-up) when authentication is off and the API would listen beyond loopback. */
export function assertAuthModeAllowed(config: Pick<Config, 'auth' | 'http'>): void {
  if (config.auth.mode === 'off' && !isLoopbackHost(config.http.host)) {
    throw new Error(
      `AUTH_MODE=off is for local use only and refuses to listen on ${config.http.host}: ` +
        'set HOST=127.0.0.1, or AUTH_MODE=jwt with JWT_SECRET or JWT_JWKS_URL',
    );
  }
}
