import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from './executor.js';
import { assertPostgresLock, readMigrationFolders, readMigrationLock, type MigrationFolder } from './migration-files.js';
import { MigrationError } from './migration-error.js';
import { planMigrations, type MigrationPlan } from './migration-plan.js';
import {
  ensureMigrationsTable,
  listMigrationRows,
  migrationsTableExists,
  recordMigrationFailed,
  recordMigrationFinished,
  recordMigrationRolledBack,
  recordMigrationStarted,
  withMigrationLock,
} from './migrations-table.js';

// `prisma migrate deploy` without the native engine: the committed migrations applied in order, each in its
// own transaction, recorded in `_prisma_migrations` as Prisma records them. Stricter than deploy in one way:
// an applied migration whose file changed is refused (deploy ignores it; `migrate dev` and this do not).

export interface MigrationOutcome {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations found already applied. */
  alreadyApplied: string[];
}

export async function applyMigrations(executor: SqlExecutor, migrationsDir: string): Promise<MigrationOutcome> {
  const folders = await readCommittedMigrations(migrationsDir);
  return withMigrationLock(executor, async () => {
    await ensureMigrationsTable(executor);
    const plan = planMigrations(folders, await listMigrationRows(executor));
    refuseUnsafeHistory(plan);
    const applied: string[] = [];
    for (const folder of plan.pending) {
      await applyOne(executor, folder);
      applied.push(folder.name);
    }
    return { applied, alreadyApplied: plan.applied };
  });
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  failed: string[];
  edited: string[];
}

/**
 * Where the database stands against the committed migrations; changes nothing. Waits for a migration run in
 * progress, whose unfinished row would otherwise read as failed.
 */
export async function migrationStatus(executor: SqlExecutor, migrationsDir: string): Promise<MigrationStatus> {
  const folders = await readCommittedMigrations(migrationsDir);
  return withMigrationLock(executor, async () => {
    const rows = (await migrationsTableExists(executor)) ? await listMigrationRows(executor) : [];
    const plan = planMigrations(folders, rows);
    return { applied: plan.applied, pending: plan.pending.map((folder) => folder.name), failed: plan.failed, edited: plan.edited };
  });
}

/**
 * `prisma migrate resolve --rolled-back NAME`: marks a failed migration as rolled back so the next run applies
 * it again (after it was fixed). Our transaction already undid its changes; Prisma's engine may not have.
 */
export async function markMigrationRolledBack(executor: SqlExecutor, migrationName: string): Promise<void> {
  const marked = await withMigrationLock(executor, async () => {
    await ensureMigrationsTable(executor);
    return recordMigrationRolledBack(executor, migrationName);
  });
  if (marked === 0) throw new Error(`Migration ${migrationName} is not in a failed state, so it cannot be marked rolled back`);
}

async function readCommittedMigrations(migrationsDir: string): Promise<MigrationFolder[]> {
  assertPostgresLock(await readMigrationLock(migrationsDir), migrationsDir);
  return readMigrationFolders(migrationsDir);
}

function refuseUnsafeHistory(plan: MigrationPlan): void {
  if (plan.failed.length > 0) {
    throw new MigrationError(
      'UNRESOLVED_FAILED_MIGRATION',
      plan.failed,
      `Migration ${list(plan.failed)} failed in an earlier run and is still marked failed in _prisma_migrations; ` +
        'no migration is applied until it is resolved. Fix it, then mark it rolled back ' +
        '(markMigrationRolledBack, or `prisma migrate resolve --rolled-back NAME`) and migrate again.',
    );
  }
  if (plan.edited.length > 0) {
    throw new MigrationError(
      'CHECKSUM_MISMATCH',
      plan.edited,
      `Migration ${list(plan.edited)} was modified after it was applied: its migration.sql no longer matches the checksum ` +
        'recorded in _prisma_migrations. Restore the committed file and put the change in a new migration.',
    );
  }
}

async function applyOne(executor: SqlExecutor, folder: MigrationFolder): Promise<void> {
  const id = randomUUID();
  await recordMigrationStarted(executor, { id, checksum: folder.checksum, name: folder.name });
  try {
    await executor.transaction(async (tx) => {
      await tx.exec(folder.script);
      await recordMigrationFinished(tx, id);
    });
  } catch (error) {
    const failure = describeDatabaseError(error);
    // If the connection itself died this fails too; the row, unfinished, still reads as failed, and the
    // caller needs the migration's own error rather than this one.
    await recordMigrationFailed(executor, id, failure.logs).catch(() => undefined);
    throw new MigrationError(
      'MIGRATION_FAILED',
      [folder.name],
      `Migration ${folder.name} failed to apply and was rolled back${failure.sqlState ? ` (database error ${failure.sqlState})` : ''}: ${failure.message}`,
      { cause: error, sqlState: failure.sqlState },
    );
  }
}

interface DatabaseFailure {
  message: string;
  sqlState: string | undefined;
  logs: string;
}

// pg and PGlite both raise DatabaseError objects carrying the server's fields.
function describeDatabaseError(error: unknown): DatabaseFailure {
  const message = error instanceof Error ? error.message : String(error);
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const text = (key: string): string | undefined =>
    typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : undefined;
  const sqlState = text('code');
  const extra = [
    ['DETAIL', text('detail')],
    ['HINT', text('hint')],
    ['WHERE', text('where')],
    ['POSITION', text('position')],
  ]
    .filter(([, value]) => value !== undefined)
    .map(([label, value]) => `${label}: ${value}`);
  const logs = [`Database error code: ${sqlState ?? 'unknown'}`, '', 'Database error:', `ERROR: ${message}`, ...extra].join('\n');
  return { message, sqlState, logs };
}

function list(names: readonly string[]): string {
  return names.join(', ');
}
