// Per-request DataLoaders: field resolvers batch into one query per field, never one per row.
import DataLoader from 'dataloader';
import type { Database } from '../db/client.js';
import type { Condition, KeypointSource, Level, SeriesType, Severity, Side } from '../domain/vocabulary.js';
import { findActiveModelSetId } from '../services/model-sets.service.js';

export interface SeriesRow {
  id: string;
  studyId: string;
  externalId: string;
  type: SeriesType;
  description: string | null;
  orientation: string | null;
  instanceCount: number;
  stackCount: number;
  pixelSpacing: number[];
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
}

/** A stored prediction as the API serves it (the pipeline's own row is inference/types.ts PredictionRow). */
export type StoredPrediction = {
  condition: Condition;
  level: Level;
  normalMild: number;
  moderate: number;
  severe: number;
  severity: Severity;
  modelSetId: string;
  fallback: string | null;
};

/** A stored label as the API serves it. */
export type StoredLabel = {
  condition: Condition;
  level: Level;
  severity: Severity;
  source: string;
};

export interface KeypointRow {
  id: string;
  studyId: string;
  seriesId: string;
  instanceId: string | null;
  level: Level;
  side: Side;
  role: string;
  source: KeypointSource;
  pixelX: number;
  pixelY: number;
  patientX: number;
  patientY: number;
  patientZ: number;
  score: number | null;
  modelSetId: string | null;
  createdAt: Date;
}

export interface InstanceRow {
  id: string;
  seriesId: string;
  instanceNumber: number | null;
  stackIndex: number;
  sliceIndex: number;
  rows: number;
  columns: number;
  slicePosition: number;
}

/** Keys of per-model-set loaders: `${studyId}|${modelSetId}`. */
export const setKey = (studyId: string, modelSetId: string | null): string => `${studyId}|${modelSetId ?? ''}`;

export interface Loaders {
  readonly seriesByStudy: DataLoader<string, SeriesRow[]>;
  readonly projectById: DataLoader<string, { id: string; name: string } | null>;
  readonly predictionsByStudySet: DataLoader<string, StoredPrediction[]>;
  readonly labelsByStudy: DataLoader<string, StoredLabel[]>;
  readonly keypointsByStudySet: DataLoader<string, KeypointRow[]>;
  readonly instancesBySeries: DataLoader<string, InstanceRow[]>;
  /** The active model set's id, read once per request. */
  readonly activeModelSetId: () => Promise<string | null>;
}

/** Batches `${studyId}|${modelSetId}` keys into one query per model set; `fetch` answers rows grouped by study. */
function perSetLoader<T>(fetch: (studyIds: string[], modelSetId: string) => Promise<Map<string, T[]>>): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const bySet = new Map<string, string[]>();
    for (const key of keys) {
      const [studyId, setId] = key.split('|');
      if (!setId) continue;
      const ids = bySet.get(setId);
      if (ids) ids.push(studyId);
      else bySet.set(setId, [studyId]);
    }
    const results = new Map<string, T[]>();
    for (const [setId, studyIds] of bySet) {
      for (const [studyId, rows] of await fetch(studyIds, setId)) results.set(setKey(studyId, setId), rows);
    }
    return keys.map((k) => results.get(k) ?? []);
  });
}

/** Groups rows by key, in their order; `map` shapes each row on the way (default: as it is). */
function groupBy<T, K, U = T>(rows: readonly T[], key: (row: T) => K, map: (row: T) => U = (row) => row as unknown as U): Map<K, U[]> {
  const groups = new Map<K, U[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(map(row));
    else groups.set(k, [map(row)]);
  }
  return groups;
}

export function createLoaders(db: Database): Loaders {
  let active: Promise<string | null> | undefined;
  return {
    activeModelSetId: () => (active ??= findActiveModelSetId(db)),
    seriesByStudy: new DataLoader(async (studyIds) => {
      const rows = await db.prisma.series.findMany({
        where: { studyId: { in: [...studyIds] } },
        orderBy: [{ type: 'asc' }, { externalId: 'asc' }],
      });
      const groups = groupBy(rows, (r) => r.studyId);
      return studyIds.map((id) => groups.get(id) ?? []);
    }),
    // Pages carry 25 predictions per study: plain SQL with only the columns served keeps this cheap. Rows beat
    // json_agg here: PostgreSQL spends longer building the JSON than the driver spends parsing the rows.
    predictionsByStudySet: perSetLoader(async (studyIds, modelSetId) => {
      const rows = await db.sql.query<StoredPrediction & { studyId: string }>(
        `SELECT "studyId", condition::text AS condition, level::text AS level, "normalMild", moderate, severe, severity::text AS severity, fallback
         FROM "Prediction" WHERE "modelSetId" = $1::uuid AND "studyId" = ANY($2::uuid[]) ORDER BY condition, level`,
        [modelSetId, studyIds],
      );
      return groupBy(
        rows,
        (r) => r.studyId,
        (r) => Object.assign(r, { modelSetId }),
      );
    }),
    keypointsByStudySet: perSetLoader(async (studyIds, modelSetId) =>
      groupBy(
        await db.prisma.keypoint.findMany({
          where: { studyId: { in: studyIds }, OR: [{ modelSetId }, { source: 'MANUAL' }] },
          orderBy: [{ role: 'asc' }, { level: 'asc' }, { side: 'asc' }, { createdAt: 'asc' }],
        }),
        (r) => r.studyId,
      ),
    ),
    labelsByStudy: new DataLoader(async (studyIds) => {
      const groups = groupBy(
        await db.sql.query<StoredLabel & { studyId: string }>(
          `SELECT "studyId", condition::text AS condition, level::text AS level, severity::text AS severity, source::text AS source
           FROM "Label" WHERE "studyId" = ANY($1::uuid[]) ORDER BY condition, level`,
          [[...studyIds]],
        ),
        (r) => r.studyId,
      );
      return studyIds.map((id) => groups.get(id) ?? []);
    }),
    instancesBySeries: new DataLoader(async (seriesIds) => {
      const rows = await db.prisma.instance.findMany({
        where: { seriesId: { in: [...seriesIds] } },
        orderBy: [{ stackIndex: 'asc' }, { sliceIndex: 'asc' }],
        select: {
          id: true,
          seriesId: true,
          instanceNumber: true,
          stackIndex: true,
          sliceIndex: true,
          rows: true,
          columns: true,
          slicePosition: true,
        },
      });
      const groups = groupBy(rows, (r) => r.seriesId);
      return seriesIds.map((id) => groups.get(id) ?? []);
    }),
    projectById: new DataLoader(async (ids) => {
      const rows = await db.prisma.project.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
