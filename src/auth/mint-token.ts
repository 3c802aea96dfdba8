// spinegraph's own tokens: HS256 with JWT_SECRET, `sub` = the User id, carrying the iss/aud the verifier
// expects so the same configuration verifies what it minted.
import { SignJWT } from 'jose';
import type { Config } from '../config.js';
import { badInput } from '../domain/errors.js';
import { CLAIM_ADMIN, CLAIM_MEMBERSHIPS, type TokenMembership } from './claims.js';

/** Longest lifetime `spinegraph token` grants; long-lived credentials belong in an identity provider. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export interface MintTokenInput {
  readonly userId: string;
  readonly email: string;
  readonly admin: boolean;
  readonly memberships: readonly TokenMembership[];
  readonly ttlSeconds: number;
}

export interface MintedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export async function mintLocalToken(auth: Config['auth'], input: MintTokenInput, now: Date = new Date()): Promise<MintedToken> {
  if (!auth.secret) throw badInput('JWT_SECRET is not set: local tokens are signed with it');
  checkTtl(input.ttlSeconds);
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + input.ttlSeconds;
  const jwt = new SignJWT({
    email: input.email,
    [CLAIM_ADMIN]: input.admin,
    [CLAIM_MEMBERSHIPS]: input.memberships.map((m) => ({ project: m.project, role: m.role })),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(input.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp);
  if (auth.issuer) jwt.setIssuer(auth.issuer);
  if (auth.audience) jwt.setAudience(auth.audience);
  return { token: await jwt.sign(new TextEncoder().encode(auth.secret)), expiresAt: new Date(exp * 1000) };
}

/** Throws BAD_USER_INPUT unless 1 s <= ttl <= MAX_TOKEN_TTL_SECONDS. */
export function checkTtl(ttlSeconds: number): number {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw badInput(`Token lifetime must be 1 s to ${MAX_TOKEN_TTL_SECONDS / 86400} days, got ${ttlSeconds} s`);
  }
  return ttlSeconds;
}

/** `90s`, `30m`, `8h`, `7d` (or a bare number of seconds) to seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match) throw badInput(`TTL "${text}" must look like 90s, 30m, 8h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
