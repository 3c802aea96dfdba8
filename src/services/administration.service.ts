// Administration use cases: projects, the caller's own account, memberships. System administrators manage every
// project; a project's administrators manage that project's memberships. Every call is a mutation or a query the
// audit plugin records; these functions check who may call them and never trust the caller's input for that.
import type { Database } from '../db/client.js';
import { AppError, badInput, notFound } from '../domain/errors.js';
import { requireRole, requireSystemAdmin, roleIn } from '../auth/permissions.js';
import type { ProjectRole, Viewer } from '../auth/viewer.js';
import { ensureProject, getProject, getProjectByName } from './projects.service.js';
import { normaliseEmail } from './provision-user.js';
import { isUuid } from '../domain/ids.js';

export interface ProjectRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  /** The caller's role in it (ADMIN everywhere for system administrators). */
  readonly role: ProjectRole;
}

export interface AccountRecord {
  readonly id: string;
  readonly email: string;
  readonly isAdmin: boolean;
}

export interface MembershipRecord {
  readonly project: { readonly id: string; readonly name: string };
  readonly user: AccountRecord;
  readonly role: ProjectRole;
  readonly createdAt: Date;
}

export interface MeRecord {
  /** Null with AUTH_MODE=off, where the caller is the local administrator and has no account. */
  readonly user: AccountRecord | null;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly memberships: readonly MembershipRecord[];
}

const PROJECT_NAME = /^[\w .:-]{1,100}$/;
const MEMBERSHIP_SELECT = {
  role: true,
  createdAt: true,
  project: { select: { id: true, name: true } },
  user: { select: { id: true, email: true, isAdmin: true } },
} as const;

/** A project by id or by name, as the caller may see it (an invisible one is NOT_FOUND, like a made-up one). */
export async function findVisibleProject(db: Database, viewer: Viewer, idOrName: string): Promise<{ id: string; name: string }> {
  const project = isUuid(idOrName)
    ? await getProject(db, idOrName)
    : await getProjectByName(db, idOrName.trim()).catch(() => {
        throw notFound('Project', idOrName);
      });
  if (roleIn(viewer, project.id) === null) throw notFound('Project', idOrName);
  return project;
}

/** The projects the caller can see, by name, with their role in each. */
export async function listProjects(db: Database, viewer: Viewer): Promise<ProjectRecord[]> {
  const rows = await db.prisma.project.findMany({
    where: viewer.scope.kind === 'all' ? {} : { id: { in: [...viewer.scope.projectIds] } },
    select: { id: true, name: true, createdAt: true },
    orderBy: { name: 'asc' },
  });
  return rows.map((p) => ({ ...p, role: roleIn(viewer, p.id) ?? 'VIEWER' }));
}

export async function describeMe(db: Database, viewer: Viewer): Promise<MeRecord> {
  if (!viewer.userId) return { user: null, email: viewer.email, isAdmin: viewer.isAdmin, memberships: [] };
  const user = await db.prisma.user.findUnique({ where: { id: viewer.userId }, select: { id: true, email: true, isAdmin: true } });
  if (!user) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists');
  const memberships = await db.prisma.membership.findMany({
    where: { userId: user.id },
    select: MEMBERSHIP_SELECT,
    orderBy: { project: { name: 'asc' } },
  });
  return { user, email: user.email, isAdmin: user.isAdmin, memberships };
}

/** System administrators only; CONFLICT when the name is taken. */
export async function createProject(db: Database, viewer: Viewer, name: string): Promise<ProjectRecord> {
  requireSystemAdmin(viewer);
  const trimmed = name.trim();
  if (!PROJECT_NAME.test(trimmed) || isUuid(trimmed))
    throw badInput(`Project name "${name}" must be 1-100 letters, digits, spaces or _.:- (and not look like an id)`, { field: 'name' });
  if (await db.prisma.project.findUnique({ where: { name: trimmed }, select: { id: true } }))
    throw new AppError('CONFLICT', `A project named "${trimmed}" already exists`);
  const p = await db.prisma.project.create({ data: { name: trimmed }, select: { id: true, name: true, createdAt: true } });
  return { ...p, role: 'ADMIN' };
}

/** A project's memberships: its administrators and system administrators only. */
export async function listMemberships(db: Database, viewer: Viewer, project: string): Promise<MembershipRecord[]> {
  const { id } = await findVisibleProject(db, viewer, project);
  requireRole(viewer, id, 'ADMIN');
  return db.prisma.membership.findMany({ where: { projectId: id }, select: MEMBERSHIP_SELECT, orderBy: { user: { email: 'asc' } } });
}

export interface GrantInput {
  /** Project id or name. */
  readonly project: string;
  readonly email: string;
  readonly role: ProjectRole;
}

/**
 * Sets the user's role in the project (exactly this role), creating the account by email when the person has not
 * signed in yet (an OIDC login with that verified email links to it). The project's administrators or a system
 * administrator.
 */
export async function grantMembership(db: Database, viewer: Viewer, input: GrantInput): Promise<MembershipRecord> {
  const project = await findVisibleProject(db, viewer, input.project);
  requireRole(viewer, project.id, 'ADMIN');
  const email = normaliseEmail(input.email);
  const user = await db.prisma.user.upsert({ where: { email }, create: { email }, update: {}, select: { id: true } });
  return db.prisma.membership.upsert({
    where: { projectId_userId: { projectId: project.id, userId: user.id } },
    create: { projectId: project.id, userId: user.id, role: input.role },
    update: { role: input.role },
    select: MEMBERSHIP_SELECT,
  });
}

/**
 * Removes the user's membership; NOT_FOUND when there is none. A project administrator cannot remove the project's
 * last administrator (a system administrator can).
 */
export async function revokeMembership(db: Database, viewer: Viewer, input: { project: string; email: string }): Promise<MembershipRecord> {
  const project = await findVisibleProject(db, viewer, input.project);
  requireRole(viewer, project.id, 'ADMIN');
  const email = normaliseEmail(input.email);
  const membership = await db.prisma.membership.findFirst({ where: { projectId: project.id, user: { email } }, select: MEMBERSHIP_SELECT });
  if (!membership) throw notFound('Membership', `${email} in ${project.name}`);
  if (!viewer.isAdmin && membership.role === 'ADMIN') {
    const admins = await db.prisma.membership.count({ where: { projectId: project.id, role: 'ADMIN' } });
    if (admins <= 1) throw new AppError('CONFLICT', `${email} is the last administrator of ${project.name}; grant another first`);
  }
  await db.prisma.membership.delete({ where: { projectId_userId: { projectId: project.id, userId: membership.user.id } } });
  return membership;
}

/**
 * The first administrator of a deployment, from the server's shell (`spinegraph admin grant`): no token needed, so
 * an OIDC-only deployment can bootstrap. With a project: that membership; without: a system administrator.
 */
export async function grantFromServer(
  db: Database,
  input: { email: string; role: ProjectRole; project?: string | null },
): Promise<{ user: AccountRecord; membership: MembershipRecord | null }> {
  const email = normaliseEmail(input.email);
  if (!input.project) {
    if (input.role !== 'ADMIN') throw badInput('Without --project only --role admin makes sense (a system administrator)');
    const user = await db.prisma.user.upsert({
      where: { email },
      create: { email, isAdmin: true },
      update: { isAdmin: true },
      select: { id: true, email: true, isAdmin: true },
    });
    return { user, membership: null };
  }
  const project = isUuid(input.project) ? await getProject(db, input.project) : await getProjectByName(db, input.project);
  const user = await db.prisma.user.upsert({
    where: { email },
    create: { email },
    update: {},
    select: { id: true, email: true, isAdmin: true },
  });
  const membership = await db.prisma.membership.upsert({
    where: { projectId_userId: { projectId: project.id, userId: user.id } },
    create: { projectId: project.id, userId: user.id, role: input.role },
    update: { role: input.role },
    select: MEMBERSHIP_SELECT,
  });
  return { user, membership };
}

/**
 * Where an import goes: the project named (id or name); else the one project where the caller may import; else, for
 * a system administrator, the default project (created when missing). Otherwise a message naming the choices.
 */
export async function chooseImportProject(db: Database, viewer: Viewer, idOrName?: string | null): Promise<{ id: string; name: string }> {
  if (idOrName) return findVisibleProject(db, viewer, idOrName);
  if (viewer.isAdmin) return ensureProject(db);
  const mine = (await listProjects(db, viewer)).filter((p) => p.role !== 'VIEWER');
  if (mine.length === 1) return mine[0] as ProjectRecord;
  throw badInput(
    mine.length === 0
      ? 'You may not import into any project; ask a project administrator for the researcher role'
      : `Name the project to import into (project: id or name); you may import into ${mine.map((p) => `"${p.name}"`).join(', ')}`,
    { field: 'project' },
  );
}
