// The Authorization header for one source: none, basic, a static bearer token, or an OAuth 2.0 client-credentials
// token fetched from the source's token endpoint and reused until shortly before it expires.
import type { DicomwebSource } from '../config/dicomweb-sources.js';
import { sourceRejectedCredentials, sourceTimedOut, sourceUnreachable } from './source-error.js';

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** Tokens are refreshed this long before the endpoint says they expire. */
const EXPIRY_MARGIN_MS = 30_000;

export class AuthHeader {
  private token: CachedToken | null = null;

  constructor(private readonly source: DicomwebSource) {}

  async value(): Promise<string | null> {
    const auth = this.source.auth;
    switch (auth.type) {
      case 'none':
        return null;
      case 'basic':
        return `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`, 'utf8').toString('base64')}`;
      case 'bearer':
        return `Bearer ${auth.token.reveal()}`;
      case 'oauth2':
        if (!this.token || this.token.expiresAt <= Date.now()) this.token = await this.fetchToken();
        return `Bearer ${this.token.value}`;
    }
  }

  /** After a 401: a cached OAuth token may have been revoked; the next value() fetches a fresh one. */
  forget(): boolean {
    const had = this.token !== null;
    this.token = null;
    return had && this.source.auth.type === 'oauth2';
  }

  private async fetchToken(): Promise<CachedToken> {
    const auth = this.source.auth;
    if (auth.type !== 'oauth2') throw new Error('not an OAuth source');
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: auth.clientId,
      client_secret: auth.clientSecret.reveal(),
    });
    if (auth.scope) body.set('scope', auth.scope);
    let response: Response;
    try {
      response = await fetch(auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.source.requestTimeoutMs),
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'TimeoutError')
        throw sourceTimedOut(this.source.name, 'the token request', this.source.requestTimeoutMs);
      throw sourceUnreachable(this.source.name, e, 'OAuth token endpoint');
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw sourceRejectedCredentials(this.source.name, response.status);
    }
    const json = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!response.ok || !json || typeof json.access_token !== 'string') {
      throw sourceRejectedCredentials(this.source.name, response.status);
    }
    const lifetimeS = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    return { value: json.access_token, expiresAt: Date.now() + Math.max(0, lifetimeS * 1000 - EXPIRY_MARGIN_MS) };
  }
}
