import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type DatabaseTarget } from './client.js';
import { applyMigrations, type MigrationOutcome } from './migrations/migrate.js';

/** prisma/migrations of this package, found from src/db or dist/db alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Applies the committed migrations to an open database. Idempotent. */
export function migrateOpenDatabase(db: Database): Promise<MigrationOutcome> {
  return db.withMigrationExecutor((executor) => applyMigrations(executor, MIGRATIONS_DIR));
}

/** Opens the configured database, applies the committed migrations, closes it. */
export async function migrateDatabase(target: DatabaseTarget): Promise<MigrationOutcome> {
  const db = await openDatabase(target);
  try {
    return await migrateOpenDatabase(db);
  } finally {
    await db.close();
  }
}
