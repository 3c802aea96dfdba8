import { checksumMatches } from './checksum.js';
import type { MigrationFolder } from './migration-files.js';
import type { MigrationRow } from './migrations-table.js';

// Compares the committed folders with `_prisma_migrations`, reading the table as `prisma migrate deploy` does:
// rows marked rolled back are history only; an unfinished row that is not rolled back is a failed migration.

export interface MigrationPlan {
  /** Folders whose finished row is in the table, in apply order. */
  applied: string[];
  /** Folders with no live row, in apply order: what a migrate run would apply. */
  pending: MigrationFolder[];
  /** Rows that failed (or crashed) and were never resolved. */
  failed: string[];
  /** Applied folders whose migration.sql changed since it was applied. */
  edited: string[];
}

export function planMigrations(folders: readonly MigrationFolder[], rows: readonly MigrationRow[]): MigrationPlan {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  const finishedByName = new Map(live.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row]));
  const plan: MigrationPlan = { applied: [], pending: [], failed: [...new Set(failed)], edited: [] };
  for (const folder of folders) {
    const row = finishedByName.get(folder.name);
    if (row === undefined) {
      if (!failed.includes(folder.name)) plan.pending.push(folder);
      continue;
    }
    plan.applied.push(folder.name);
    if (!checksumMatches(folder.script, row.checksum)) plan.edited.push(folder.name);
  }
  return plan;
}
