import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCK_FILE, MIGRATION_FILE, POSTGRES_LOCK_FILE_CONTENT, readMigrationFolders, readMigrationLock } from './migration-files.js';
import { migrationFolderName } from './migration-name.js';
import { withSchemaEngine, type MigrationList } from './schema-engine.js';

// `prisma migrate diff --from-migrations <dir> --to-schema <schema.prisma> --script`, offline: the engine replays
// the committed migrations on an in-memory shadow database and diffs what it finds against the schema.
// The engine compares what Prisma models (enums, tables, columns, indexes, foreign keys); hand-written SQL it
// does not model, such as the AuditEvent trigger, neither shows up nor is lost.

export interface SchemaDiff {
  /** SQL that takes a database migrated with the committed migrations to the schema. */
  sql: string;
  /** False when the migrations already produce exactly the schema. */
  hasChanges: boolean;
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };
/** DiffResult.exitCode when `exitCode` was asked for and the two sides differ (as `migrate diff --exit-code`). */
const EXIT_CODE_CHANGES = 2;

export async function diffMigrationsToSchema(options: { migrationsDir: string; schemaPath: string }): Promise<SchemaDiff> {
  const migrationsDir = path.resolve(options.migrationsDir);
  const schemaPath = path.resolve(options.schemaPath);
  const [migrations, schema] = await Promise.all([readEngineMigrationList(migrationsDir), readFile(schemaPath, 'utf8')]);
  const result = await withSchemaEngine((engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrations },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    }),
  );
  const hasChanges = result.exitCode === EXIT_CODE_CHANGES;
  return { sql: hasChanges ? (result.stdout ?? '') : '', hasChanges };
}

/** The committed migrations in the shape the engine takes them (what the Prisma CLI reads from disk for it). */
export async function readEngineMigrationList(migrationsDir: string): Promise<MigrationList> {
  const [folders, lock] = await Promise.all([readMigrationFolders(migrationsDir), readMigrationLock(migrationsDir)]);
  return {
    baseDir: migrationsDir,
    // The engine needs the lock file to pick the connector, even before the first migration exists.
    lockfile: { path: LOCK_FILE, content: lock ?? POSTGRES_LOCK_FILE_CONTENT },
    shadowDbInitScript: '',
    migrationDirectories: folders.map((folder) => ({
      path: folder.name,
      migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok', value: folder.script } },
    })),
  };
}

/** Writes <migrationsDir>/<timestamp>_<slug>/migration.sql and the lock file, as `prisma migrate dev --create-only`. */
export async function writeMigration(options: {
  migrationsDir: string;
  name: string;
  sql: string;
  now?: Date;
}): Promise<{ name: string; file: string }> {
  const name = migrationFolderName(options.name, options.now);
  const folder = path.join(options.migrationsDir, name);
  // Refuse to overwrite: a folder of that name would be a migration someone may already have applied.
  await mkdir(options.migrationsDir, { recursive: true });
  await mkdir(folder);
  const file = path.join(folder, MIGRATION_FILE);
  await writeFile(file, options.sql, { flag: 'wx' });
  await writeFile(path.join(options.migrationsDir, LOCK_FILE), POSTGRES_LOCK_FILE_CONTENT);
  return { name, file };
}
