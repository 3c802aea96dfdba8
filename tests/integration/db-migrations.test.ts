// The offline migrator against the real PostgreSQL and the embedded PGlite, and against Prisma's own engine
// (the wasm build of what `prisma migrate deploy` runs) to show both read `_prisma_migrations` the same way.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationChecksum } from '../../src/db/migrations/checksum.js';
import type { SqlExecutor } from '../../src/db/migrations/executor.js';
import { applyMigrations, markMigrationRolledBack, migrationStatus } from '../../src/db/migrations/migrate.js';
import { MigrationError } from '../../src/db/migrations/migration-error.js';
import { pgExecutor } from '../../src/db/migrations/pg-executor.js';
import { pgliteExecutor } from '../../src/db/migrations/pglite-executor.js';
import { readEngineMigrationList } from '../../src/db/migrations/schema-diff.js';
import { withSchemaEngine, withSchemaEngineOn } from '../../src/db/migrations/schema-engine.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REPO_MIGRATIONS = path.resolve('prisma/migrations');
const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Every model of schema.prisma is a table (none is mapped to another name). */
async function schemaTables(): Promise<string[]> {
  const schema = await readFile('prisma/schema.prisma', 'utf8');
  return [...schema.matchAll(/^model (\w+) \{/gm)].map((match) => match[1]).sort();
}

async function committedMigrationNames(): Promise<string[]> {
  const list = await readEngineMigrationList(REPO_MIGRATIONS);
  return list.migrationDirectories.map((dir) => dir.path);
}

/** Columns of `_prisma_migrations` as the catalog describes them: type, length, nullability, default. */
async function migrationsTableShape(db: SqlExecutor): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
     FROM information_schema.columns WHERE table_name = '_prisma_migrations' AND table_schema = current_schema()
     ORDER BY ordinal_position`,
  );
}

const PRISMA_MIGRATIONS_SHAPE = [
  { column_name: 'id', data_type: 'character varying', character_maximum_length: 36, is_nullable: 'NO', column_default: null },
  { column_name: 'checksum', data_type: 'character varying', character_maximum_length: 64, is_nullable: 'NO', column_default: null },
  {
    column_name: 'finished_at',
    data_type: 'timestamp with time zone',
    character_maximum_length: null,
    is_nullable: 'YES',
    column_default: null,
  },
  { column_name: 'migration_name', data_type: 'character varying', character_maximum_length: 255, is_nullable: 'NO', column_default: null },
  { column_name: 'logs', data_type: 'text', character_maximum_length: null, is_nullable: 'YES', column_default: null },
  {
    column_name: 'rolled_back_at',
    data_type: 'timestamp with time zone',
    character_maximum_length: null,
    is_nullable: 'YES',
    column_default: null,
  },
  {
    column_name: 'started_at',
    data_type: 'timestamp with time zone',
    character_maximum_length: null,
    is_nullable: 'NO',
    column_default: 'now()',
  },
  { column_name: 'applied_steps_count', data_type: 'integer', character_maximum_length: null, is_nullable: 'NO', column_default: '0' },
];

async function tablesOf(db: SqlExecutor): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

/** A temp copy of the committed migrations plus extra folders, for scenarios that must not touch the repo. */
async function migrationsCopy(extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sg-migrations-'));
  await cp(REPO_MIGRATIONS, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function expectMigrationError(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

async function expectAppendOnly(db: SqlExecutor): Promise<void> {
  await db.query(`INSERT INTO "AuditEvent" (action, outcome) VALUES ('test.insert', 'SUCCESS')`);
  await expect(db.query(`UPDATE "AuditEvent" SET action = 'tampered'`)).rejects.toMatchObject({
    code: '23001',
    message: expect.stringMatching(/append-only: UPDATE refused/),
  });
  await expect(db.query(`DELETE FROM "AuditEvent"`)).rejects.toMatchObject({
    code: '23001',
    message: expect.stringMatching(/append-only: DELETE refused/),
  });
  const rows = await db.query<{ action: string }>(`SELECT action FROM "AuditEvent"`);
  expect(rows.map((row) => row.action)).toEqual(['test.insert']);
}

describe('applyMigrations on PostgreSQL', () => {
  const databaseName = `sg_test_migrations_${randomBytes(5).toString('hex')}`;
  const databaseUrl = (() => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${databaseName}`;
    return url.toString();
  })();
  const clients: pg.Client[] = [];
  const tempDirs: string[] = [];

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** One connection whose current schema is `schema` (created empty): each scenario gets a clean namespace. */
  async function connect(schema: string): Promise<SqlExecutor> {
    const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await client.connect();
    clients.push(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    return pgExecutor(client);
  }

  /** A connection to `schema` with the committed migrations applied (a no-op when an earlier test did it). */
  async function migrated(schema: string): Promise<SqlExecutor> {
    const db = await connect(schema);
    await applyMigrations(db, REPO_MIGRATIONS);
    return db;
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${databaseName}`);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await admin(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('applies every migration, creating every table of the schema; a second run applies nothing', async () => {
    const db = await connect('fresh');
    const names = await committedMigrationNames();
    expect(names.length).toBeGreaterThan(0);

    // Status reads without writing: on an empty schema everything is pending and no table appears.
    expect(await migrationStatus(db, REPO_MIGRATIONS)).toEqual({ applied: [], pending: names, failed: [], edited: [] });
    expect(await tablesOf(db)).toEqual([]);

    const first = await applyMigrations(db, REPO_MIGRATIONS);
    expect(first).toEqual({ applied: names, alreadyApplied: [] });
    expect(await tablesOf(db)).toEqual([...(await schemaTables()), '_prisma_migrations'].sort());

    const second = await applyMigrations(db, REPO_MIGRATIONS);
    expect(second).toEqual({ applied: [], alreadyApplied: names });
    expect(await migrationStatus(db, REPO_MIGRATIONS)).toEqual({ applied: names, pending: [], failed: [], edited: [] });
  });

  it('records _prisma_migrations rows as Prisma does', async () => {
    const db = await migrated('fresh');
    expect(await migrationsTableShape(db)).toEqual(PRISMA_MIGRATIONS_SHAPE);
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM _prisma_migrations ORDER BY started_at');
    const names = await committedMigrationNames();
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const bytes = await readFile(path.join(REPO_MIGRATIONS, String(row.migration_name), 'migration.sql'));
      expect(row).toMatchObject({ checksum: migrationChecksum(bytes), logs: null, rolled_back_at: null, applied_steps_count: 1 });
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
    }
  });

  it("is read by Prisma's engine (through @prisma/adapter-pg) as its own history", async () => {
    await migrated('fresh');
    const names = await committedMigrationNames();
    const migrationsList = await readEngineMigrationList(REPO_MIGRATIONS);
    // The engine looks for _prisma_migrations in the adapter's schema, as the CLI does with ?schema=. It takes
    // Prisma's advisory lock and never releases it (the CLI just exits), so its pool must be closed after.
    const pool = new pg.Pool({ connectionString: databaseUrl, options: '-c search_path=fresh' });
    try {
      await withSchemaEngineOn(new PrismaPg(pool, { schema: 'fresh' }), async (engine) => {
        const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS });
        expect(diagnosis).toEqual({ history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true });
        expect(await engine.applyMigrations({ migrationsList, filters: NO_FILTERS })).toEqual({ appliedMigrationNames: [] });
      });
    } finally {
      await pool.end();
    }
    expect(names.length).toBeGreaterThan(0);
  });

  it('refuses UPDATE and DELETE on AuditEvent', async () => {
    await expectAppendOnly(await migrated('fresh'));
  });

  it('lets two processes migrate at once: each migration is applied exactly once', async () => {
    const [a, b] = [await connect('race'), await connect('race')];
    const names = await committedMigrationNames();
    const outcomes = await Promise.all([applyMigrations(a, REPO_MIGRATIONS), applyMigrations(b, REPO_MIGRATIONS)]);
    expect(outcomes.flatMap((outcome) => outcome.applied).sort()).toEqual(names);
    const rows = await a.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations');
    expect(rows.map((row) => row.migration_name).sort()).toEqual(names);
    const held = await a.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369`);
    expect(held).toEqual([]);
  });

  it('refuses a migration whose file changed after it was applied, and names it', async () => {
    const db = await connect('tamper');
    const dir = await migrationsCopy();
    tempDirs.push(dir);
    await applyMigrations(db, dir);
    const [first] = await committedMigrationNames();
    const file = path.join(dir, first, 'migration.sql');

    // git turning LF into CRLF is not an edit (Prisma tolerates it too).
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replaceAll('\n', '\r\n'));
    expect((await applyMigrations(db, dir)).applied).toEqual([]);

    await writeFile(file, `${original}\nALTER TABLE "Project" ADD COLUMN "sneaky" TEXT;\n`);
    const error = await expectMigrationError(applyMigrations(db, dir));
    expect(error.kind).toBe('CHECKSUM_MISMATCH');
    expect(error.migrationNames).toEqual([first]);
    expect(error.message).toContain(first);
    const columns = await db.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'tamper' AND column_name = 'sneaky'`);
    expect(columns).toEqual([]);
  });

  it('records a failing migration as failed, rolls it back, and waits until it is resolved', async () => {
    const db = await connect('failing');
    const bad = '29990101000000_bad';
    const dir = await migrationsCopy({ [bad]: 'CREATE TABLE "Half" (a int);\nSELECT 1/0;\n' });
    tempDirs.push(dir);

    const error = await expectMigrationError(applyMigrations(db, dir));
    expect(error).toMatchObject({ kind: 'MIGRATION_FAILED', migrationNames: [bad], sqlState: '22012' });
    expect(error.message).toContain(bad);
    expect(error.message).toMatch(/division by zero/);

    const [row] = await db.query<Record<string, unknown>>('SELECT * FROM _prisma_migrations WHERE migration_name = $1', [bad]);
    expect(row).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(row.logs).toMatch(/22012[\s\S]*division by zero/);
    expect(await tablesOf(db)).not.toContain('Half');

    const again = await expectMigrationError(applyMigrations(db, dir));
    expect(again).toMatchObject({ kind: 'UNRESOLVED_FAILED_MIGRATION', migrationNames: [bad] });
    expect(await migrationStatus(db, dir)).toMatchObject({ failed: [bad], pending: [] });

    await writeFile(path.join(dir, bad, 'migration.sql'), 'CREATE TABLE "Half" (a int);\n');
    await markMigrationRolledBack(db, bad);
    expect(await applyMigrations(db, dir)).toMatchObject({ applied: [bad] });
    expect(await tablesOf(db)).toContain('Half');
    await expect(markMigrationRolledBack(db, bad)).rejects.toThrow(/not in a failed state/);
  });
});

describe('applyMigrations on embedded PGlite', () => {
  const tempDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('migrates a file-backed database, which keeps its history across restarts', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sg-pglite-'));
    tempDirs.push(dataDir);
    const names = await committedMigrationNames();

    const first = await PGlite.create(dataDir);
    try {
      expect(await applyMigrations(pgliteExecutor(first), REPO_MIGRATIONS)).toEqual({ applied: names, alreadyApplied: [] });
      expect(await tablesOf(pgliteExecutor(first))).toEqual([...(await schemaTables()), '_prisma_migrations'].sort());
      expect(await migrationsTableShape(pgliteExecutor(first))).toEqual(PRISMA_MIGRATIONS_SHAPE);
    } finally {
      await first.close();
    }

    const reopened = await PGlite.create(dataDir);
    try {
      expect(await applyMigrations(pgliteExecutor(reopened), REPO_MIGRATIONS)).toEqual({ applied: [], alreadyApplied: names });
      await expectAppendOnly(pgliteExecutor(reopened));
    } finally {
      await reopened.close();
    }
  });

  it("is read by Prisma's engine as its own history, and reads Prisma's history as its own", { timeout: 180_000 }, async () => {
    const names = await committedMigrationNames();
    const migrationsList = await readEngineMigrationList(REPO_MIGRATIONS);

    const ours = await PGlite.create('memory://');
    const prismas = await PGlite.create('memory://');
    try {
      await applyMigrations(pgliteExecutor(ours), REPO_MIGRATIONS);
      await withSchemaEngine(async (engine) => {
        const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS });
        expect(diagnosis).toMatchObject({ history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true });
        expect(await engine.applyMigrations({ migrationsList, filters: NO_FILTERS })).toEqual({ appliedMigrationNames: [] });
      }, ours);

      await withSchemaEngine(async (engine) => {
        expect(await engine.applyMigrations({ migrationsList, filters: NO_FILTERS })).toEqual({ appliedMigrationNames: names });
      }, prismas);
      expect(await applyMigrations(pgliteExecutor(prismas), REPO_MIGRATIONS)).toEqual({ applied: [], alreadyApplied: names });

      // Same table, same rows (ids and times aside), and the same database schema either way.
      expect(await migrationsTableShape(pgliteExecutor(ours))).toEqual(await migrationsTableShape(pgliteExecutor(prismas)));
      const comparable =
        'SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at IS NOT NULL AS finished FROM _prisma_migrations';
      expect((await ours.query(comparable)).rows).toEqual((await prismas.query(comparable)).rows);
      expect(await tablesOf(pgliteExecutor(ours))).toEqual(await tablesOf(pgliteExecutor(prismas)));
    } finally {
      await Promise.all([ours.close(), prismas.close()]);
    }
  });

  it("marks a failed migration so that Prisma's engine sees it failed, then resolved", { timeout: 180_000 }, async () => {
    const bad = '29990101000000_bad';
    const dir = await migrationsCopy({ [bad]: 'SELECT 1/0;\n' });
    tempDirs.push(dir);
    const db = await PGlite.create('memory://');
    try {
      await expectMigrationError(applyMigrations(pgliteExecutor(db), dir));
      const diagnose = () =>
        withSchemaEngine(
          async (engine) =>
            engine.diagnoseMigrationHistory({
              migrationsList: await readEngineMigrationList(dir),
              optInToShadowDatabase: false,
              filters: NO_FILTERS,
            }),
          db,
        );
      expect((await diagnose()).failedMigrationNames).toEqual([bad]);
      await markMigrationRolledBack(pgliteExecutor(db), bad);
      expect((await diagnose()).failedMigrationNames).toEqual([]);
      await writeFile(path.join(dir, bad, 'migration.sql'), 'SELECT 1;\n');
      expect(await applyMigrations(pgliteExecutor(db), dir)).toMatchObject({ applied: [bad] });
    } finally {
      await db.close();
    }
  });
});
