import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type DatabaseTarget } from './client.js';
import { applyMigrations, migrationStatus, type MigrationOutcome } from './migrations/migrate.js';

/** prisma/migrations of this package, found from src/db or dist/db alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Applies the committed migrations to an open database. Idempotent. */
export function migrateOpenDatabase(db: Database): Promise<MigrationOutcome> {
  return db.withMigrationExecutor((executor) => applyMigrations(executor, MIGRATIONS_DIR));
}

/**
 * The database as commands use it: the embedded one is migrated on open (it has no other operator);
 * PostgreSQL must already be migrated, and a pending migration stops the command with the fix to run.
 */
export async function openReadyDatabase(target: DatabaseTarget): Promise<Database> {
  const db = await openDatabase(target);
  try {
    if (db.kind === 'pglite') {
      await migrateOpenDatabase(db);
    } else {
      const status = await db.withMigrationExecutor((executor) => migrationStatus(executor, MIGRATIONS_DIR));
      if (status.pending.length || status.failed.length) {
        throw new Error(
          `The database is not migrated (${[...status.pending, ...status.failed].join(', ')}); run \`spinegraph db migrate\` first`,
        );
      }
    }
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}
