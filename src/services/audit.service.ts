// The audit log: who did what to which ids, with which filter, and how it ended. Append-only by construction:
// this module only inserts and reads, and the database's trigger refuses UPDATE and DELETE on AuditEvent.
// Never PHI: callers pass ids, filters and short error codes/messages, not DICOM attributes or file paths.
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import type { Viewer } from '../auth/viewer.js';
import { scopeWithRole } from '../auth/permissions.js';
import { AppError, badInput } from '../domain/errors.js';
import { pageSize } from './cursor.js';
import { isUuid } from '../domain/ids.js';

export type AuditOutcome = 'SUCCESS' | 'DENIED' | 'ERROR';

/** Filters are JSON; Dates become ISO strings on the way in. */
export type AuditFilter = Readonly<Record<string, unknown>>;

export interface AuditEventInput {
  readonly viewer: Viewer;
  /** What was done, as `area.verb`: `query.<field>` and `mutation.<field>` (GraphQL), `export.submission`, `image.render`. */
  readonly action: string;
  readonly targetIds?: readonly string[];
  readonly filter?: AuditFilter | null;
  readonly outcome: AuditOutcome;
  readonly requestId?: string | null;
  /** An error code or a short reason; truncated to MAX_DETAIL_LENGTH. */
  readonly detail?: string | null;
}

export interface AuditEventRecord {
  readonly id: string;
  readonly at: Date;
  readonly userId: string | null;
  readonly userEmail: string | null;
  readonly action: string;
  readonly targetIds: readonly string[];
  readonly filter: unknown;
  readonly outcome: AuditOutcome;
  readonly requestId: string | null;
  readonly detail: string | null;
}

export interface AuditQuery {
  readonly first?: number | null;
  /** endCursor of the previous page. */
  readonly after?: string | null;
  readonly action?: string | null;
  readonly userId?: string | null;
  readonly outcome?: AuditOutcome | null;
  /** Events that name the project: among their target ids, or as the projectId of their filter. */
  readonly projectId?: string | null;
  /** At or after. */
  readonly from?: Date | null;
  /** Before. */
  readonly to?: Date | null;
}

export interface AuditPage {
  readonly events: readonly AuditEventRecord[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/** One event keeps this many target ids; a larger export records the rest as a count and is described by its filter. */
export const MAX_TARGET_IDS = 1000;
export const MAX_DETAIL_LENGTH = 1000;
const ACTION = /^[a-z][A-Za-z0-9_]*(\.[a-z][A-Za-z0-9_]*)*$/;

/** Appends one event. Throws when the write fails: an access that cannot be recorded should not happen. */
export async function recordAudit(db: Database, event: AuditEventInput): Promise<AuditEventRecord> {
  if (!ACTION.test(event.action) || event.action.length > 100)
    throw new Error(`Audit action "${event.action}" must look like "query.studies"`);
  const ids = event.targetIds ?? [];
  const kept = ids.slice(0, MAX_TARGET_IDS);
  const notes = [event.detail ?? '', ids.length > kept.length ? `(+${ids.length - kept.length} more target ids)` : ''].filter(
    (s) => s !== '',
  );
  const detail = notes.length ? notes.join(' ').slice(0, MAX_DETAIL_LENGTH) : null;
  // Plain SQL: every audited request waits for this insert before its response goes out.
  const rows = await db.sql.query<AuditEventRecord & Record<string, unknown>>(
    `INSERT INTO "AuditEvent" ("userId", "userEmail", action, "targetIds", filter, outcome, "requestId", detail)
     VALUES ($1::uuid, $2, $3, $4::text[], $5::jsonb, $6::"AuditOutcome", $7, $8)
     RETURNING id::text AS id, at, "userId", "userEmail", action, "targetIds", filter, outcome::text AS outcome, "requestId", detail`,
    [
      event.viewer.userId,
      event.viewer.email,
      event.action,
      kept,
      event.filter ? JSON.stringify(event.filter) : null,
      event.outcome,
      event.requestId ?? null,
      detail,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('Audit insert returned no row');
  return row;
}

/**
 * Newest first, keyset-paginated by id. System administrators read every event; a project administrator reads the
 * events that name a project they administer (its id or name among the targets, or its id in the filter). Anyone
 * else, or a project filter naming a project the caller does not administer, is FORBIDDEN.
 */
export async function listAudit(db: Database, viewer: Viewer, query: AuditQuery = {}, maxPageSize = 500): Promise<AuditPage> {
  if (query.userId && !isUuid(query.userId)) throw badInput(`userId "${query.userId}" is not a user id`, { field: 'userId' });
  if (query.projectId && !isUuid(query.projectId))
    throw badInput(`projectId "${query.projectId}" is not a project id`, { field: 'projectId' });
  if (query.from && query.to && query.from >= query.to) throw badInput('from must be before to', { field: 'from' });
  const scope = await auditScope(db, viewer, query.projectId ?? null);
  const take = pageSize(query.first, maxPageSize);
  const rows = await db.prisma.auditEvent.findMany({
    where: {
      ...(query.after ? { id: { lt: decodeAuditCursor(query.after) } } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(scope ? { OR: namingProjects(scope) } : {}),
      ...(query.from || query.to ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } } : {}),
    },
    orderBy: { id: 'desc' },
    take: take + 1,
  });
  const page = rows.slice(0, take).map(toRecord);
  const last = page.at(-1);
  return { events: page, endCursor: last ? encodeAuditCursor(last.id) : null, hasNextPage: rows.length > take };
}

interface ProjectNames {
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

/** The projects whose events the caller may read (null: every event), narrowed to `projectId` when given. */
async function auditScope(db: Database, viewer: Viewer, projectId: string | null): Promise<ProjectNames | null> {
  if (viewer.isAdmin) return projectId ? { ids: [projectId], names: await projectNames(db, [projectId]) } : null;
  const administered = scopeWithRole(viewer, 'ADMIN');
  const ids = administered.kind === 'all' ? [] : administered.projectIds;
  if (ids.length === 0)
    throw new AppError('FORBIDDEN', 'The audit log is for system administrators and project administrators', {
      details: { required: 'ADMIN' },
    });
  if (projectId && !ids.includes(projectId))
    throw new AppError('FORBIDDEN', 'You can read the audit events of the projects you administer only', {
      details: { projectId, required: 'ADMIN' },
    });
  const chosen = projectId ? [projectId] : ids;
  return { ids: chosen, names: await projectNames(db, chosen) };
}

async function projectNames(db: Database, ids: readonly string[]): Promise<string[]> {
  const rows = await db.prisma.project.findMany({ where: { id: { in: [...ids] } }, select: { name: true } });
  return rows.map((r) => r.name);
}

/** Events that name one of the projects: by id or name among their targets (grants name either), or in their filter. */
function namingProjects(scope: ProjectNames): Prisma.AuditEventWhereInput[] {
  return [
    { targetIds: { hasSome: [...scope.ids, ...scope.names] } },
    ...scope.ids.map((id): Prisma.AuditEventWhereInput => ({ filter: { path: ['projectId'], equals: id } })),
  ];
}

function toRecord(row: {
  id: bigint;
  at: Date;
  userId: string | null;
  userEmail: string | null;
  action: string;
  targetIds: string[];
  filter: unknown;
  outcome: AuditOutcome;
  requestId: string | null;
  detail: string | null;
}): AuditEventRecord {
  return { ...row, id: row.id.toString() };
}

export function encodeAuditCursor(id: string): string {
  return Buffer.from(`audit:${id}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string): bigint {
  const match = /^audit:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`Cursor "${cursor}" is not valid`, { field: 'after' });
  return BigInt(match[1] as string);
}
