// Per-request DataLoaders: field resolvers batch into one query per field, never one per row.
import DataLoader from 'dataloader';
import type { Database } from '../db/client.js';

export interface SeriesRow {
  id: string;
  studyId: string;
  externalId: string;
  type: string;
  description: string | null;
  orientation: string | null;
  instanceCount: number;
  stackCount: number;
  pixelSpacing: number[];
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
}

export interface Loaders {
  readonly seriesByStudy: DataLoader<string, SeriesRow[]>;
  readonly projectById: DataLoader<string, { id: string; name: string } | null>;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

export function createLoaders(db: Database): Loaders {
  return {
    seriesByStudy: new DataLoader(async (studyIds) => {
      const rows = await db.prisma.series.findMany({
        where: { studyId: { in: [...studyIds] } },
        orderBy: [{ type: 'asc' }, { externalId: 'asc' }],
      });
      const groups = groupBy(rows, (r) => r.studyId);
      return studyIds.map((id) => groups.get(id) ?? []);
    }),
    projectById: new DataLoader(async (ids) => {
      const rows = await db.prisma.project.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
