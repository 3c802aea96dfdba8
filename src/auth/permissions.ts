// Project-level authorisation. A project the viewer cannot see does not exist for them (NOT_FOUND, as for a
// made-up id), so ids cannot be probed; a visible project with too low a role is FORBIDDEN.
import { AppError, notFound } from '../domain/errors.js';
import type { ProjectScope } from '../domain/study-filter.js';
import type { ProjectRole, Viewer } from './viewer.js';

const RANK: Readonly<Record<ProjectRole, number>> = { VIEWER: 1, RESEARCHER: 2, ADMIN: 3 };

/** admin > researcher > viewer. */
export function roleAtLeast(role: ProjectRole, minimum: ProjectRole): boolean {
  return RANK[role] >= RANK[minimum];
}

/** The viewer's role in a project: ADMIN everywhere for system admins, null where the project is invisible. */
export function roleIn(viewer: Viewer, projectId: string): ProjectRole | null {
  if (viewer.isAdmin || viewer.scope.kind === 'all') return 'ADMIN';
  if (!viewer.scope.projectIds.includes(projectId)) return null;
  return viewer.roles.get(projectId) ?? null;
}

export function canRead(viewer: Viewer, projectId: string): boolean {
  return roleIn(viewer, projectId) !== null;
}

export function hasRole(viewer: Viewer, projectId: string, minimum: ProjectRole): boolean {
  const role = roleIn(viewer, projectId);
  return role !== null && roleAtLeast(role, minimum);
}

/** Throws NOT_FOUND when the project is invisible to the viewer, FORBIDDEN when the role is below `minimum`. */
export function requireRole(viewer: Viewer, projectId: string, minimum: ProjectRole): ProjectRole {
  const role = roleIn(viewer, projectId);
  if (role === null) throw notFound('Project', projectId);
  if (!roleAtLeast(role, minimum)) {
    throw new AppError('FORBIDDEN', `This needs the ${minimum.toLowerCase()} role in the project; you are ${role.toLowerCase()}`, {
      details: { projectId, required: minimum, actual: role },
    });
  }
  return role;
}

/** User management, memberships, model-set activation and the audit log. */
export function requireSystemAdmin(viewer: Viewer): void {
  if (!viewer.isAdmin) throw new AppError('FORBIDDEN', 'This needs a system administrator', { details: { required: 'SYSTEM_ADMIN' } });
}

/** The projects where the viewer holds at least `minimum`, as a scope for SQL (e.g. where they may run inference). */
export function scopeWithRole(viewer: Viewer, minimum: ProjectRole): ProjectScope {
  if (viewer.isAdmin || viewer.scope.kind === 'all') return { kind: 'all' };
  return { kind: 'projects', projectIds: viewer.scope.projectIds.filter((id) => hasRole(viewer, id, minimum)) };
}

/** FORBIDDEN unless the viewer holds at least `minimum` in some project (what a viewer-only user lacks for work). */
export function requireRoleSomewhere(viewer: Viewer, minimum: ProjectRole): void {
  const scope = scopeWithRole(viewer, minimum);
  if (scope.kind === 'projects' && scope.projectIds.length === 0) {
    throw new AppError('FORBIDDEN', `This needs the ${minimum.toLowerCase()} role in at least one project`, {
      details: { required: minimum },
    });
  }
}
