import type { Database } from '../db/client.js';
import { notFound } from '../domain/errors.js';

/** The model set a query means: the one asked for (must exist) or the active one (may be none). */
export async function resolveModelSetId(db: Database, requested: string | null | undefined): Promise<string | null> {
  if (requested) {
    const set = await db.prisma.modelSet.findUnique({ where: { id: requested }, select: { id: true } }).catch(() => null);
    if (!set) throw notFound('Model set', requested);
    return set.id;
  }
  const active = await db.prisma.modelSet.findFirst({ where: { isActive: true }, select: { id: true } });
  return active?.id ?? null;
}
