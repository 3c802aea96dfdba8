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

export type PredictionRow = {
  studyId: string;
  condition: string;
  level: string;
  normalMild: number;
  moderate: number;
  severe: number;
  severity: string;
  modelSetId: string;
  fallback: string | null;
};

export type LabelRow = {
  studyId: string;
  condition: string;
  level: string;
  severity: string;
  source: string;
};

export interface KeypointRow {
  id: string;
  studyId: string;
  seriesId: string;
  instanceId: string | null;
  level: string;
  side: string;
  role: string;
  source: string;
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
  readonly predictionsByStudySet: DataLoader<string, PredictionRow[]>;
  readonly labelsByStudy: DataLoader<string, LabelRow[]>;
  readonly keypointsByStudySet: DataLoader<string, KeypointRow[]>;
  readonly instancesBySeries: DataLoader<string, InstanceRow[]>;
  /** The active model set's id, read once per request. */
  activeModelSetId(): Promise<string | null>;
}

const CONDITION_ORDER = [
  'SPINAL_CANAL_STENOSIS',
  'LEFT_NEURAL_FORAMINAL_NARROWING',
  'RIGHT_NEURAL_FORAMINAL_NARROWING',
  'LEFT_SUBARTICULAR_STENOSIS',
  'RIGHT_SUBARTICULAR_STENOSIS',
];
const byConditionLevel = (a: { condition: string; level: string }, b: { condition: string; level: string }): number =>
  CONDITION_ORDER.indexOf(a.condition) - CONDITION_ORDER.indexOf(b.condition) || a.level.localeCompare(b.level);

/** Batches `${studyId}|${modelSetId}` keys into one query per model set. */
function perSetLoader<T extends { studyId: string }>(
  fetch: (studyIds: string[], modelSetId: string) => Promise<T[]>,
): DataLoader<string, T[]> {
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
      for (const row of await fetch(studyIds, setId)) {
        const key = setKey(row.studyId, setId);
        const rows = results.get(key);
        if (rows) rows.push(row);
        else results.set(key, [row]);
      }
    }
    return keys.map((k) => results.get(k) ?? []);
  });
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
  let active: Promise<string | null> | undefined;
  return {
    activeModelSetId() {
      active ??= db.prisma.modelSet.findFirst({ where: { isActive: true }, select: { id: true } }).then((s) => s?.id ?? null);
      return active;
    },
    seriesByStudy: new DataLoader(async (studyIds) => {
      const rows = await db.prisma.series.findMany({
        where: { studyId: { in: [...studyIds] } },
        orderBy: [{ type: 'asc' }, { externalId: 'asc' }],
      });
      const groups = groupBy(rows, (r) => r.studyId);
      return studyIds.map((id) => groups.get(id) ?? []);
    }),
    // Pages carry 25 predictions and labels per study: plain SQL with only the columns served keeps this cheap.
    predictionsByStudySet: perSetLoader(async (studyIds, modelSetId) =>
      (
        await db.sql.query<PredictionRow>(
          `SELECT "studyId", condition::text AS condition, level::text AS level, "normalMild", moderate, severe, severity::text AS severity,
                  "modelSetId", fallback
           FROM "Prediction" WHERE "modelSetId" = $1::uuid AND "studyId" = ANY($2::uuid[])`,
          [modelSetId, studyIds],
        )
      ).sort(byConditionLevel),
    ),
    keypointsByStudySet: perSetLoader(async (studyIds, modelSetId) =>
      db.prisma.keypoint.findMany({
        where: { studyId: { in: studyIds }, OR: [{ modelSetId }, { source: 'MANUAL' }] },
        orderBy: [{ role: 'asc' }, { level: 'asc' }, { side: 'asc' }, { createdAt: 'asc' }],
      }),
    ),
    labelsByStudy: new DataLoader(async (studyIds) => {
      const rows = (
        await db.sql.query<LabelRow>(
          `SELECT "studyId", condition::text AS condition, level::text AS level, severity::text AS severity, source::text AS source
           FROM "Label" WHERE "studyId" = ANY($1::uuid[])`,
          [[...studyIds]],
        )
      ).sort(byConditionLevel);
      const groups = groupBy(rows, (r) => r.studyId);
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
