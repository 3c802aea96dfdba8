// PredictionCellCount and LabelCellCount are kept by triggers: after every kind of write (the inference writer's
// upsert, bulk SQL, deletes, cascades, a study moving project, TRUNCATE, concurrent writers) they must equal a count
// taken from the rows themselves, and cohortSummary must answer the same from them as from the rows.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrations/migrate.js';
import { severityArgmax } from '../../src/domain/vocabulary.js';
import type { StudyResult } from '../../src/inference/types.js';
import { cohortSummary, type SeveritySource } from '../../src/services/cohort.service.js';
import { upsertLabels } from '../../src/services/import/import-writer.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { lcg, predictionsOnlyResult, randomLabelRows, randomPredictions } from '../support/random-predictions.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const studyResult = (studyId: string, random: () => number) =>
  predictionsOnlyResult(studyId, randomPredictions(random, { scale: [1, 0.6, 0.3] }));

const MIGRATIONS_DIR = join(import.meta.dirname, '../../prisma/migrations');
const ALL = { kind: 'all' } as const;

/** A deterministic pseudo-random stream, so a failure replays. */

async function seedProjectsAndSets(
  db: Database,
  studiesPerProject: number,
): Promise<{ projects: string[]; sets: string[]; studies: Map<string, string[]> }> {
  const projects = (
    await db.sql.query<{ id: string }>(
      `INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'cells-a'), (gen_random_uuid(), 'cells-b') RETURNING id`,
    )
  ).map((r) => r.id);
  const sets = (
    await db.sql.query<{ id: string }>(
      `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), 'set-a', 'hash-a'), (gen_random_uuid(), 'set-b', 'hash-b') RETURNING id`,
    )
  ).map((r) => r.id);
  const studies = new Map<string, string[]>();
  for (const projectId of projects) {
    const rows = await db.sql.query<{ id: string }>(
      `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, $3 || '-study-' || n, now() FROM generate_series(1, $2::int) AS n RETURNING id`,
      [projectId, studiesPerProject, `p${studies.size}`],
    );
    studies.set(
      projectId,
      rows.map((r) => r.id),
    );
  }
  return { projects, sets, studies };
}

interface CellRow {
  key: string;
  n: number;
}

/** The kept counts (zeros dropped) and a count taken from the rows, in the same shape. */
async function predictionCounts(db: Database): Promise<{ kept: CellRow[]; counted: CellRow[] }> {
  const kept = await db.sql.query<{ key: string; n: number }>(
    `SELECT "modelSetId" || '|' || "projectId" || '|' || condition || '|' || level || '|' || severity AS key, count AS n
     FROM "PredictionCellCount" WHERE count <> 0 ORDER BY 1`,
  );
  const counted = await db.sql.query<{ key: string; n: number }>(
    `SELECT p."modelSetId" || '|' || s."projectId" || '|' || p.condition || '|' || p.level || '|' || p.severity AS key, count(*)::int AS n
     FROM "Prediction" p JOIN "Study" s ON s.id = p."studyId" GROUP BY 1 ORDER BY 1`,
  );
  return { kept, counted };
}

async function labelCounts(db: Database): Promise<{ kept: CellRow[]; counted: CellRow[] }> {
  const kept = await db.sql.query<{ key: string; n: number }>(
    `SELECT "projectId" || '|' || condition || '|' || level || '|' || severity AS key, count AS n FROM "LabelCellCount" WHERE count <> 0 ORDER BY 1`,
  );
  const counted = await db.sql.query<{ key: string; n: number }>(
    `SELECT s."projectId" || '|' || l.condition || '|' || l.level || '|' || l.severity AS key, count(*)::int AS n
     FROM "Label" l JOIN "Study" s ON s.id = l."studyId" GROUP BY 1 ORDER BY 1`,
  );
  return { kept, counted };
}

async function expectCountsExact(db: Database): Promise<void> {
  const p = await predictionCounts(db);
  expect(p.kept).toEqual(p.counted);
  const l = await labelCounts(db);
  expect(l.kept).toEqual(l.counted);
}

async function externalIdsOf(db: Database, studyIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.sql.query<{ id: string; externalId: string }>(`SELECT id, "externalId" FROM "Study" WHERE id = ANY($1::uuid[])`, [
    studyIds,
  ]);
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

describe('cell counts kept by triggers', () => {
  let t: TestDatabase;
  let projects: string[];
  let sets: string[];
  let studies: Map<string, string[]>;
  const random = lcg(7);

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ projects, sets, studies } = await seedProjectsAndSets(t.db, 12));
  });
  afterAll(async () => {
    await t?.drop();
  });

  const studiesOf = (i: number): string[] => studies.get(projects[i] as string) as string[];

  it('counts what the inference writer inserts, and moves cells when a rerun changes severities', async () => {
    for (const id of [...studiesOf(0), ...studiesOf(1)]) await writeStudyResult(t.db, studyResult(id, random), sets[0] as string, null);
    await expectCountsExact(t.db);
    const before = await predictionCounts(t.db);
    expect(before.kept.reduce((n, r) => n + r.n, 0)).toBe(24 * 25);

    // Same studies, new probabilities: every row is updated, many change severity.
    for (const id of studiesOf(0).slice(0, 6)) await writeStudyResult(t.db, studyResult(id, random), sets[0] as string, null);
    await expectCountsExact(t.db);
    // A rerun that changes nothing leaves the counts alone.
    const unchanged = await t.db.sql.query<{ n: number }>(`SELECT sum(count)::int AS n FROM "PredictionCellCount"`);
    expect(unchanged[0]?.n).toBe(24 * 25);
  });

  it('counts bulk INSERT ... SELECT and UPDATE statements and deletes', async () => {
    await t.db.sql.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
       SELECT gen_random_uuid(), s.id, c, l, 0.2, 0.3, 0.5, 'SEVERE', $1::uuid, now()
       FROM "Study" s, unnest(enum_range(NULL::"Condition")) c, unnest(enum_range(NULL::"Level")) l`,
      [sets[1]],
    );
    await expectCountsExact(t.db);
    await t.db.sql.query(`UPDATE "Prediction" SET severity = 'MODERATE' WHERE "modelSetId" = $1::uuid AND level IN ('L4_L5', 'L5_S1')`, [
      sets[1],
    ]);
    await expectCountsExact(t.db);
    await t.db.sql.query(`DELETE FROM "Prediction" WHERE "modelSetId" = $1::uuid AND condition = 'LEFT_SUBARTICULAR_STENOSIS'`, [sets[1]]);
    await expectCountsExact(t.db);
  });

  it('counts labels written by the import, changed and deleted', async () => {
    for (const i of [0, 1]) {
      const ids = await externalIdsOf(t.db, studiesOf(i));
      expect(await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()]))).toBe(12 * 25);
      await expectCountsExact(t.db);
      // A second CSV for the same studies changes some severities (the upsert only touches rows that differ).
      await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()].slice(0, 4)));
      await expectCountsExact(t.db);
    }
    await t.db.sql.query(`DELETE FROM "Label" WHERE level = 'L1_L2'`);
    await expectCountsExact(t.db);
  });

  it('moves a study’s counts with it to another project, and subtracts a deleted study’s', async () => {
    const moved = studiesOf(0)[0] as string;
    await t.db.sql.query(`UPDATE "Study" SET "projectId" = $1::uuid WHERE id = $2::uuid`, [projects[1], moved]);
    await expectCountsExact(t.db);
    await t.db.sql.query(`DELETE FROM "Study" WHERE id = ANY($1::uuid[])`, [[studiesOf(0)[1], studiesOf(1)[2]]]);
    await expectCountsExact(t.db);
  });

  it('loses a deleted model set’s counts with it, and empties on TRUNCATE', async () => {
    await t.db.sql.query(`DELETE FROM "ModelSet" WHERE id = $1::uuid`, [sets[1]]);
    await expectCountsExact(t.db);
    expect(await t.db.sql.query(`SELECT 1 FROM "PredictionCellCount" WHERE "modelSetId" = $1::uuid`, [sets[1]])).toHaveLength(0);
    await t.db.sql.query(`TRUNCATE "Label"`);
    await expectCountsExact(t.db);
    expect(await t.db.sql.query(`SELECT 1 FROM "LabelCellCount"`)).toHaveLength(0);
  });

  it('stays exact with concurrent writers of one model set (and none deadlocks)', async () => {
    const ids = (await t.db.sql.query<{ id: string }>(`SELECT id FROM "Study" ORDER BY "externalId"`)).map((r) => r.id);
    // Fresh inserts and reruns at once, over the pool's ten connections: inserted and updated rows in parallel.
    await Promise.all([...ids, ...ids].map((id, i) => writeStudyResult(t.db, studyResult(id, lcg(1000 + i)), sets[0] as string, null)));
    await t.db.sql.query(`DELETE FROM "Prediction" WHERE "studyId" = ANY($1::uuid[])`, [ids.slice(0, 5)]);
    await Promise.all(ids.slice(0, 10).map((id, i) => writeStudyResult(t.db, studyResult(id, lcg(2000 + i)), sets[0] as string, null)));
    await expectCountsExact(t.db);
  });

  it('are recounted exactly by CellCounts_rebuild after a bulk load that bypassed the triggers', async () => {
    await t.db.sql.exec(
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE "Prediction" SET severity = 'SEVERE' WHERE level = 'L3_L4';
       DELETE FROM "Label" WHERE level = 'L2_L3';
       COMMIT;`,
    );
    const stale = await predictionCounts(t.db);
    expect(stale.kept).not.toEqual(stale.counted);
    await t.db.sql.query(`SELECT "CellCounts_rebuild"()`);
    await expectCountsExact(t.db);
  });

  it('gives cohortSummary the same answer as counting the rows, for whole projects and the caller’s scope', async () => {
    const ids = await externalIdsOf(t.db, [...studiesOf(0), ...studiesOf(1)]);
    await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()]));
    const allIds = (await t.db.sql.query<{ id: string }>(`SELECT id FROM "Study"`)).map((r) => r.id);
    const cases: { scope: typeof ALL | { kind: 'projects'; projectIds: string[] }; projectId?: string }[] = [
      { scope: ALL },
      { scope: ALL, projectId: projects[0] },
      { scope: { kind: 'projects', projectIds: [projects[1] as string] } },
      { scope: { kind: 'projects', projectIds: [projects[1] as string] }, projectId: projects[0] },
    ];
    for (const source of ['PREDICTED', 'LABELLED'] as SeveritySource[]) {
      for (const c of cases) {
        const args = { scope: c.scope, modelSetId: sets[0] as string, source };
        const fromCounts = await cohortSummary(t.db, { ...args, filter: c.projectId ? { projectId: c.projectId } : null });
        // Naming every study makes the filter more than whole projects: the rows are counted.
        const fromRows = await cohortSummary(t.db, {
          ...args,
          filter: { ids: allIds, ...(c.projectId ? { projectId: c.projectId } : {}) },
        });
        expect(fromCounts).toEqual(fromRows);
        expect(fromCounts.cells).toHaveLength(75);
      }
    }
    const whole = await cohortSummary(t.db, { scope: ALL, filter: null, modelSetId: sets[0] as string, source: 'PREDICTED' });
    expect(whole.studyCount).toBe(allIds.length);
    expect(whole.cells.reduce((n, cell) => n + cell.count, 0)).toBe(allIds.length * 25);
  });
});

/** Prediction rows as the schema before cell_counts holds them: today's writer also fills columns that later
 *  migrations add (the ensemble members' probabilities), which this older schema does not have yet. */
async function writeLegacyPredictions(db: Database, result: StudyResult, modelSetId: string): Promise<void> {
  const p = result.predictions;
  await db.sql.query(
    `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, c::"Condition", l::"Level", a, b, s, v::"Severity", $2::uuid, now()
     FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::text[]) AS t(c, l, a, b, s, v)`,
    [
      result.studyId,
      modelSetId,
      p.map((r) => r.condition),
      p.map((r) => r.level),
      p.map((r) => r.normalMild),
      p.map((r) => r.moderate),
      p.map((r) => r.severe),
      p.map((r) => severityArgmax([r.normalMild, r.moderate, r.severe])),
    ],
  );
}

describe('cell counts migration', () => {
  let t: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
    dir = await mkdtemp(join(tmpdir(), 'sg-migrations-'));
  });
  afterAll(async () => {
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the predictions and labels already there when it is applied', async () => {
    const folders = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_/.test(f)).sort();
    const index = folders.findIndex((f) => f.endsWith('_cell_counts'));
    expect(index).toBeGreaterThan(0);
    await cp(join(MIGRATIONS_DIR, 'migration_lock.toml'), join(dir, 'migration_lock.toml'));
    for (const f of folders.slice(0, index)) await cp(join(MIGRATIONS_DIR, f), join(dir, f), { recursive: true });
    await t.db.withMigrationExecutor((executor) => applyMigrations(executor, dir));

    const { sets, studies, projects } = await seedProjectsAndSets(t.db, 5);
    const random = lcg(11);
    for (const projectId of projects) {
      for (const id of studies.get(projectId) as string[]) await writeLegacyPredictions(t.db, studyResult(id, random), sets[0] as string);
      const ids = await externalIdsOf(t.db, studies.get(projectId) as string[]);
      await upsertLabels(t.db.sql, ids, randomLabelRows(random, [...ids.keys()]));
    }
    expect(await t.db.sql.query(`SELECT to_regclass('"PredictionCellCount"') AS t`)).toEqual([{ t: null }]);

    const outcome = await t.db.withMigrationExecutor((executor) => applyMigrations(executor, MIGRATIONS_DIR));
    // The first migration applied is cell_counts; later migrations may follow it.
    expect(outcome.applied[0]).toMatch(/_cell_counts$/);
    await expectCountsExact(t.db);
    expect((await predictionCounts(t.db)).kept.reduce((n, r) => n + r.n, 0)).toBe(10 * 25);
  });
});

describe('cell counts on the embedded database', () => {
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-pglite-cells-'));
    db = await openDatabase({ kind: 'pglite', dir });
    await db.withMigrationExecutor((executor) => applyMigrations(executor, MIGRATIONS_DIR));
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps them exact there too', async () => {
    const { sets, studies, projects } = await seedProjectsAndSets(db, 4);
    const random = lcg(3);
    const ids = [...(studies.get(projects[0] as string) as string[]), ...(studies.get(projects[1] as string) as string[])];
    for (const id of ids) await writeStudyResult(db, studyResult(id, random), sets[0] as string, null);
    for (const id of ids.slice(0, 3)) await writeStudyResult(db, studyResult(id, random), sets[0] as string, null);
    const external = await externalIdsOf(db, ids);
    await upsertLabels(db.sql, external, randomLabelRows(random, [...external.keys()]));
    await db.sql.query(`DELETE FROM "Study" WHERE id = $1::uuid`, [ids[0]]);
    await expectCountsExact(db);
  });
});
