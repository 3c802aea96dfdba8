import type { Database } from '../db/client.js';
import { notFound } from '../domain/errors.js';
import { requireUuid } from '../domain/ids.js';

/** The active model set's id, or null when none is active. Plain SQL: it runs on every request that needs it. */
export async function findActiveModelSetId(db: Database): Promise<string | null> {
  const rows = await db.sql.query<{ id: string }>(`SELECT id FROM "ModelSet" WHERE "isActive" LIMIT 1`);
  return rows[0]?.id ?? null;
}

/**
 * The model set a query means: the one asked for (must exist) or the active one (may be none). `active` lets a
 * request share one lookup of the active set between its resolvers.
 */
export async function resolveModelSetId(
  db: Database,
  requested: string | null | undefined,
  active: () => Promise<string | null> = () => findActiveModelSetId(db),
): Promise<string | null> {
  if (requested) {
    requireUuid(requested, 'modelSetId');
    const set = await db.prisma.modelSet.findUnique({ where: { id: requested }, select: { id: true } });
    if (!set) throw notFound('Model set', requested);
    return set.id;
  }
  return active();
}

/** A model set that must exist (an argument naming it, `field`, is required). */
export async function requireModelSetId(db: Database, id: string, field: string): Promise<string> {
  requireUuid(id, field);
  const set = await db.prisma.modelSet.findUnique({ where: { id }, select: { id: true } });
  if (!set) throw notFound('Model set', id);
  return set.id;
}
