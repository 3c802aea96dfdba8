// What a verified token says about its bearer, and the private claims spinegraph's own tokens carry.
// The database (User, Membership) is the source of truth for authorisation: the `sg:` claims describe
// what `spinegraph token` provisioned, for humans and scripts reading the token; they never grant anything.
import type { JWTPayload } from 'jose';
import type { ProjectRole } from './viewer.js';

/** Private claim names (collision-resistant by prefix, RFC 7519 §4.3). */
export const CLAIM_ADMIN = 'sg:admin';
export const CLAIM_MEMBERSHIPS = 'sg:memberships';

/** One entry of `sg:memberships`: a project by name and the role granted in it. */
export interface TokenMembership {
  readonly project: string;
  readonly role: ProjectRole;
}

/**
 * Which key verified the token: `secret` (HS256 with JWT_SECRET, tokens minted by `spinegraph token`, whose
 * `sub` is the spinegraph User id) or `jwks` (RS256/ES256 from the OIDC provider, whose `sub` is the provider's).
 */
export type KeySource = 'secret' | 'jwks';

export interface TokenClaims {
  /** Subject: the provider's user id (`jwks`) or spinegraph's User id (`secret`). */
  readonly sub: string;
  /** Lower-cased; absent from many providers' access tokens. */
  readonly email: string | undefined;
  /** The provider's `email_verified`; an unverified email never links to an existing user. */
  readonly emailVerified: boolean | undefined;
  readonly name: string | undefined;
  readonly verifiedWith: KeySource;
  readonly issuer: string | undefined;
  readonly expiresAt: Date;
  /** `sg:admin`, informational. */
  readonly admin: boolean;
  /** `sg:memberships`, informational. */
  readonly memberships: readonly TokenMembership[];
}

const ROLES: ReadonlySet<string> = new Set<ProjectRole>(['ADMIN', 'RESEARCHER', 'VIEWER']);

/** Reads the claims of a payload whose signature and registered claims jose has already checked. */
export function claimsFromPayload(payload: JWTPayload, verifiedWith: KeySource): TokenClaims {
  const email = typeof payload.email === 'string' && payload.email.trim() !== '' ? payload.email.trim().toLowerCase() : undefined;
  return {
    sub: payload.sub as string,
    email,
    emailVerified: typeof payload.email_verified === 'boolean' ? payload.email_verified : undefined,
    name: typeof payload.name === 'string' ? payload.name : undefined,
    verifiedWith,
    issuer: payload.iss,
    expiresAt: new Date((payload.exp as number) * 1000),
    admin: payload[CLAIM_ADMIN] === true,
    memberships: readMemberships(payload[CLAIM_MEMBERSHIPS]),
  };
}

function readMemberships(value: unknown): TokenMembership[] {
  if (!Array.isArray(value)) return [];
  const out: TokenMembership[] = [];
  for (const entry of value) {
    if (entry && typeof entry === 'object') {
      const { project, role } = entry as Record<string, unknown>;
      if (typeof project === 'string' && typeof role === 'string' && ROLES.has(role)) out.push({ project, role: role as ProjectRole });
    }
  }
  return out;
}
