// Token claims -> Viewer. Who the caller is comes from the token; what they may see comes from the database
// (User.isAdmin, Membership rows), read on every request so a revoked membership takes effect at once.
import type { Database } from '../db/client.js';
import { AppError } from '../domain/errors.js';
import type { ProjectRole, Viewer } from './viewer.js';
import type { TokenClaims } from './claims.js';
import { isUuid } from '../domain/ids.js';

const USER_WITH_MEMBERSHIPS = {
  id: true,
  email: true,
  isAdmin: true,
  externalSub: true,
  memberships: { select: { projectId: true, role: true } },
} as const;

interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly externalSub: string | null;
  readonly memberships: readonly { readonly projectId: string; readonly role: ProjectRole }[];
}

/**
 * Finds the user a verified token names, creating it on first sight (just in time, with no memberships, so it
 * sees nothing until an admin grants some):
 * - a `secret` token whose `sub` is a UUID names spinegraph's User id (what `spinegraph token` mints); no such
 *   user -> UNAUTHENTICATED;
 * - otherwise the user whose externalSub is `sub`; else the not-yet-linked user with the token's email (unless
 *   the provider says the email is unverified), which is then linked; else a new user.
 */
export async function resolveViewer(db: Database, claims: TokenClaims): Promise<Viewer> {
  const user = (await findUser(db, claims)) ?? (await createUser(db, claims));
  return viewerOf(user);
}

export function viewerOf(user: UserRow): Viewer {
  const roles = new Map<string, ProjectRole>(user.memberships.map((m) => [m.projectId, m.role]));
  return {
    userId: user.id,
    email: user.email,
    isAdmin: user.isAdmin,
    scope: user.isAdmin ? { kind: 'all' } : { kind: 'projects', projectIds: [...roles.keys()] },
    roles,
  };
}

async function findUser(db: Database, claims: TokenClaims): Promise<UserRow | null> {
  if (claims.verifiedWith === 'secret' && isUuid(claims.sub)) {
    const byId = await db.prisma.user.findUnique({ where: { id: claims.sub.toLowerCase() }, select: USER_WITH_MEMBERSHIPS });
    if (!byId)
      throw new AppError('UNAUTHENTICATED', 'The user this token was issued to no longer exists', { details: { reason: 'unknown_user' } });
    return byId;
  }
  const bySub = await db.prisma.user.findUnique({ where: { externalSub: claims.sub }, select: USER_WITH_MEMBERSHIPS });
  if (bySub) return bySub;
  if (!claims.email || claims.emailVerified === false) return null;
  const byEmail = await db.prisma.user.findUnique({ where: { email: claims.email }, select: USER_WITH_MEMBERSHIPS });
  if (!byEmail) return null;
  if (byEmail.externalSub !== null) {
    throw new AppError('UNAUTHENTICATED', 'This email belongs to another identity of the provider', {
      details: { reason: 'identity_conflict' },
    });
  }
  // A user provisioned by email (an admin's invitation, `spinegraph token`) signing in through the provider.
  const linked = await db.prisma.user.updateMany({ where: { id: byEmail.id, externalSub: null }, data: { externalSub: claims.sub } });
  if (linked.count === 0) return db.prisma.user.findUnique({ where: { externalSub: claims.sub }, select: USER_WITH_MEMBERSHIPS });
  return { ...byEmail, externalSub: claims.sub };
}

async function createUser(db: Database, claims: TokenClaims): Promise<UserRow> {
  const email = claims.email && claims.emailVerified !== false ? claims.email : placeholderEmail(claims.sub);
  try {
    return await db.prisma.user.create({
      data: { email, externalSub: claims.sub, displayName: claims.name ?? null },
      select: USER_WITH_MEMBERSHIPS,
    });
  } catch (e) {
    // Two first requests of one new user race; the loser reads what the winner wrote.
    if (!isUniqueViolation(e)) throw e;
    const again = await findUser(db, claims);
    if (!again) throw e;
    return again;
  }
}

/** Users whose token carries no (verified) email get an undeliverable address (RFC 2606 `.invalid`). */
export function placeholderEmail(sub: string): string {
  return `${encodeURIComponent(sub)}@oidc.invalid`;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}
