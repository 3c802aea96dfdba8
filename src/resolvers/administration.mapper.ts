import type { AuditEventRecord } from '../services/audit.service.js';
import type { MeRecord, MembershipRecord, ProjectRecord } from '../services/administration.service.js';
import type { AuditEvent, AuditOutcomeEnum, Me, Membership, ProjectAccess, ProjectRoleEnum } from '../schema/administration.type.js';

export function toProject(p: ProjectRecord): ProjectAccess {
  return { id: p.id, name: p.name, createdAt: p.createdAt, role: p.role as ProjectRoleEnum };
}

export function toMembership(m: MembershipRecord): Membership {
  return { project: { ...m.project }, user: { ...m.user }, role: m.role as ProjectRoleEnum, createdAt: m.createdAt };
}

export function toMe(me: MeRecord): Me {
  return { user: me.user ? { ...me.user } : null, email: me.email, isAdmin: me.isAdmin, memberships: me.memberships.map(toMembership) };
}

export function toAuditEvent(e: AuditEventRecord): AuditEvent {
  return { ...e, outcome: e.outcome as AuditOutcomeEnum };
}
