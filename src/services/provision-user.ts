// Writes what a local token will claim into the database, which authorisation reads: the user, the project
// (created when missing) and the membership with exactly the requested role.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import { ensureProject } from './projects.service.js';
import type { ProjectRole } from '../auth/viewer.js';
import type { TokenMembership } from '../auth/claims.js';

export interface ProvisionInput {
  readonly email: string;
  readonly projectName: string;
  readonly role: ProjectRole;
  /** Makes the user a system administrator (every project, user management). Never revoked here. */
  readonly systemAdmin?: boolean;
}

export interface ProvisionedMembership {
  readonly user: { readonly id: string; readonly email: string; readonly isAdmin: boolean };
  readonly project: { readonly id: string; readonly name: string };
  readonly role: ProjectRole;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed)) throw badInput(`"${email}" is not an email address`);
  return trimmed;
}

export async function provisionMembership(db: Database, input: ProvisionInput): Promise<ProvisionedMembership> {
  const email = normaliseEmail(input.email);
  const project = await ensureProject(db, input.projectName);
  const user = await db.prisma.user.upsert({
    where: { email },
    create: { email, isAdmin: input.systemAdmin === true },
    update: input.systemAdmin ? { isAdmin: true } : {},
    select: { id: true, email: true, isAdmin: true },
  });
  await db.prisma.membership.upsert({
    where: { projectId_userId: { projectId: project.id, userId: user.id } },
    create: { projectId: project.id, userId: user.id, role: input.role },
    update: { role: input.role },
  });
  return { user, project, role: input.role };
}

/** Every membership of the user by project name, as `sg:memberships` lists them. */
export async function membershipsOf(db: Database, userId: string): Promise<TokenMembership[]> {
  const rows = await db.prisma.membership.findMany({
    where: { userId },
    select: { role: true, project: { select: { name: true } } },
    orderBy: { project: { name: 'asc' } },
  });
  return rows.map((r) => ({ project: r.project.name, role: r.role }));
}
