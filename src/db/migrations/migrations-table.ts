import type { SqlExecutor } from './executor.js';

// `_prisma_migrations` as Prisma's schema engine creates and writes it (DDL copied from the engine), so
// `prisma migrate deploy|status|resolve` read our rows as their own and the other way round.

export const MIGRATIONS_TABLE = '_prisma_migrations';

/** The key Prisma's engine passes to pg_advisory_lock: our migrator and `prisma migrate deploy` exclude each other. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export async function migrationsTableExists(db: SqlExecutor): Promise<boolean> {
  // Prisma looks in the connection's schema only; current_schema() is that schema for both drivers.
  const found = await db.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = $1 AND c.relkind = 'r' AND n.nspname = current_schema()`,
    [MIGRATIONS_TABLE],
  );
  return found.length > 0;
}

export async function ensureMigrationsTable(db: SqlExecutor): Promise<void> {
  if (!(await migrationsTableExists(db))) await db.exec(CREATE_MIGRATIONS_TABLE);
}

export async function listMigrationRows(db: SqlExecutor): Promise<MigrationRow[]> {
  return db.query<MigrationRow & Record<string, unknown>>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
     FROM _prisma_migrations ORDER BY started_at ASC`,
  );
}

/** Prisma inserts the row before running the script, so a crash mid-migration leaves a visible unfinished row. */
export async function recordMigrationStarted(db: SqlExecutor, row: { id: string; checksum: string; name: string }): Promise<void> {
  await db.query('INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)', [
    row.id,
    row.checksum,
    row.name,
  ]);
}

/** A migration file is one step for Prisma; finished_at is wall-clock time, not the transaction's start. */
export async function recordMigrationFinished(db: SqlExecutor, id: string): Promise<void> {
  await db.query(
    'UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1',
    [id],
  );
}

/** Failed as Prisma records it: logs set, finished_at still NULL, applied_steps_count 0. */
export async function recordMigrationFailed(db: SqlExecutor, id: string, logs: string): Promise<void> {
  await db.query('UPDATE _prisma_migrations SET logs = $1 WHERE id = $2', [logs, id]);
}

/** What `prisma migrate resolve --rolled-back` does; returns how many rows it marked. */
export async function recordMigrationRolledBack(db: SqlExecutor, name: string): Promise<number> {
  const marked = await db.query(
    `UPDATE _prisma_migrations SET rolled_back_at = now()
     WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id`,
    [name],
  );
  return marked.length;
}

export async function withMigrationLock<T>(db: SqlExecutor, fn: () => Promise<T>): Promise<T> {
  await db.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  const unlock = () => db.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // The caller needs fn's error, not a secondary one from a connection that may already be broken.
    await unlock().catch(() => undefined);
    throw error;
  }
  await unlock();
  return result;
}
