// The cell counts of every group of a grouped cohortSummary, in one query whatever the number of groups: the filtered
// studies with their group key, then per group either the per-study rows of StudyMetricTerms (predictions: one row
// per study, its cells' severities as three bit masks, counted here) or the Label rows (labels) counted in SQL.
import type { Database } from '../db/client.js';
import type { Stratifier } from '../domain/stratifiers.js';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity, type SeveritySource } from '../domain/vocabulary.js';
import type { SqlBuilder } from './sql-builder.js';
import { groupKeySql } from './strata.js';

export type CellCount = {
  readonly condition: Condition | null;
  readonly level: Level | null;
  readonly severity: Severity | null;
  readonly n: number | null;
};

export interface GroupCounts {
  readonly key: (string | null)[];
  readonly studies: number;
  readonly cells: CellCount[];
}

/** `where`: the filter's condition over `"Study" s`, its parameters in `b`. */
export async function groupCellCounts(
  db: Database,
  b: SqlBuilder,
  where: string,
  groupBy: readonly Stratifier[],
  source: SeveritySource,
  modelSetId: string | null,
): Promise<GroupCounts[]> {
  // Each study gets its group's number (a small integer: dense_rank over the key, where arrays with NULLs compare
  // equal), so the rows are joined and counted by an integer, never by comparing text[] keys (a nested loop of
  // groups x studies: IS NOT DISTINCT FROM cannot be hashed).
  const key = groupKeySql(groupBy);
  const groups = `f AS MATERIALIZED (SELECT s.id, ${key} AS key, dense_rank() OVER (ORDER BY ${key})::int AS gid FROM "Study" s WHERE ${where}),
     g AS MATERIALIZED (SELECT gid, key, count(*)::int AS studies FROM f GROUP BY gid, key),
     fg AS (SELECT f.id, f.gid FROM f)`;
  if (source === 'PREDICTED') return predictedCounts(db, b, groups, modelSetId);
  const rows = await db.sql.query<CellCount & { key: (string | null)[]; studies: number }>(
    // Counted per group id and enum cell, cast to text only in the 75-per-group answer: hashing a text[] key and
    // three text casts per row cost most of the pass over 500,000 rows.
    `WITH ${groups},
     c AS (SELECT f.gid, r.condition, r.level, r.severity, count(*)::int AS n FROM fg f JOIN "Label" r ON r."studyId" = f.id GROUP BY 1, 2, 3, 4)
     SELECT g.key, g.studies, c.condition::text AS condition, c.level::text AS level, c.severity::text AS severity, c.n
     FROM g LEFT JOIN c ON c.gid = g.gid`,
    b.params,
  );
  const byKey = new Map<string, GroupCounts>();
  for (const r of rows) {
    const id = JSON.stringify(r.key);
    const entry = byKey.get(id) ?? { key: r.key, studies: Number(r.studies), cells: [] };
    entry.cells.push(r);
    byKey.set(id, entry);
  }
  return [...byKey.values()];
}

/**
 * Predictions: per group, the severity masks of its studies' StudyMetricTerms rows (20,000 rows for 20,000 studies
 * instead of their 500,000 predictions), three int32 per study (bit = condition x 5 + level), counted per cell here.
 */
async function predictedCounts(db: Database, b: SqlBuilder, groups: string, modelSetId: string | null): Promise<GroupCounts[]> {
  const rows = await db.sql.query<{ key: (string | null)[]; studies: number; packed: Uint8Array | null }>(
    `WITH ${groups},
     c AS (SELECT f.gid, string_agg(int4send(t."normalMildMask") || int4send(t."moderateMask") || int4send(t."severeMask"), ''::bytea) AS packed
           FROM fg f JOIN "StudyMetricTerms" t ON t."studyId" = f.id AND t."modelSetId" = ${b.param(modelSetId)}::uuid GROUP BY 1)
     SELECT g.key, g.studies, c.packed FROM g LEFT JOIN c ON c.gid = g.gid`,
    b.params,
  );
  return rows.map((r) => ({ key: r.key, studies: Number(r.studies), cells: countMasks(r.packed) }));
}

/** Three int32 masks per study (the cells predicted normal/mild, moderate, severe) into per-cell counts. */
export function countMasks(packed: Uint8Array | null): CellCount[] {
  const cellCount = CONDITIONS.length * LEVELS.length;
  const counts = new Int32Array(SEVERITIES.length * cellCount);
  if (packed) {
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    for (let o = 0; o < packed.length; o += 4 * SEVERITIES.length) {
      for (let k = 0; k < SEVERITIES.length; k++) {
        const mask = view.getInt32(o + 4 * k);
        for (let cell = 0; cell < cellCount; cell++) if (mask & (1 << cell)) counts[k * cellCount + cell]++;
      }
    }
  }
  const cells: CellCount[] = [];
  SEVERITIES.forEach((severity, k) =>
    CONDITIONS.forEach((condition, c) =>
      LEVELS.forEach((level, l) => {
        const n = counts[k * cellCount + c * LEVELS.length + l];
        if (n) cells.push({ condition, level, severity, n });
      }),
    ),
  );
  return cells;
}
