import type { Database } from '../db/client.js';
import type { Condition, Level } from '../domain/vocabulary.js';

export interface LabelPointRecord {
  readonly condition: Condition;
  readonly level: Level;
  readonly seriesId: string;
  readonly instanceId: string | null;
  readonly x: number;
  readonly y: number;
}

/** A study's label coordinates, series by series in instance order (the study viewer draws each on its slice). */
export async function labelPointsOf(db: Database, studyId: string): Promise<LabelPointRecord[]> {
  return db.prisma.labelCoordinate.findMany({
    where: { studyId },
    select: { condition: true, level: true, seriesId: true, instanceId: true, x: true, y: true },
    orderBy: [{ seriesId: 'asc' }, { instanceNumber: 'asc' }, { level: 'asc' }, { condition: 'asc' }],
  });
}
