import { describe, expect, it } from 'vitest';
import { migrationChecksum } from '../../src/db/migrations/checksum.js';
import type { MigrationFolder } from '../../src/db/migrations/migration-files.js';
import { planMigrations } from '../../src/db/migrations/migration-plan.js';
import type { MigrationRow } from '../../src/db/migrations/migrations-table.js';

const folder = (name: string, script = `-- ${name}\n`): MigrationFolder => ({ name, script, checksum: migrationChecksum(script) });

function row(name: string, patch: Partial<MigrationRow> = {}): MigrationRow {
  return {
    id: `id-${name}`,
    checksum: migrationChecksum(`-- ${name}\n`),
    finished_at: new Date('2025-01-01T00:00:01Z'),
    migration_name: name,
    logs: null,
    rolled_back_at: null,
    started_at: new Date('2025-01-01T00:00:00Z'),
    applied_steps_count: 1,
    ...patch,
  };
}

describe('planMigrations', () => {
  const folders = [folder('20250101000000_init'), folder('20250201000000_more'), folder('20250301000000_last')];

  it('applies everything on an empty table, in folder order', () => {
    const plan = planMigrations(folders, []);
    expect(plan.pending.map((f) => f.name)).toEqual(folders.map((f) => f.name));
    expect(plan).toMatchObject({ applied: [], failed: [], edited: [] });
  });

  it('skips finished migrations and keeps the rest pending', () => {
    const plan = planMigrations(folders, [row('20250101000000_init')]);
    expect(plan.applied).toEqual(['20250101000000_init']);
    expect(plan.pending.map((f) => f.name)).toEqual(['20250201000000_more', '20250301000000_last']);
  });

  it('reports an unfinished row that was not rolled back as failed, and does not plan it', () => {
    const plan = planMigrations(folders, [
      row('20250101000000_init'),
      row('20250201000000_more', { finished_at: null, applied_steps_count: 0, logs: 'boom' }),
    ]);
    expect(plan.failed).toEqual(['20250201000000_more']);
    expect(plan.pending.map((f) => f.name)).toEqual(['20250301000000_last']);
  });

  it('treats a rolled-back row as history: the migration is pending again', () => {
    const plan = planMigrations(folders, [
      row('20250101000000_init'),
      row('20250201000000_more', { finished_at: null, rolled_back_at: new Date('2025-02-02T00:00:00Z') }),
    ]);
    expect(plan.failed).toEqual([]);
    expect(plan.pending.map((f) => f.name)).toEqual(['20250201000000_more', '20250301000000_last']);
  });

  it('flags an applied migration whose file changed', () => {
    const edited = [folder('20250101000000_init', '-- init\nALTER TABLE x ADD COLUMN y int;\n'), ...folders.slice(1)];
    const plan = planMigrations(edited, [row('20250101000000_init')]);
    expect(plan.edited).toEqual(['20250101000000_init']);
  });

  it('ignores rows whose folder is gone, as prisma migrate deploy does', () => {
    const plan = planMigrations(folders.slice(0, 1), [row('20250101000000_init'), row('20240101000000_removed')]);
    expect(plan).toMatchObject({ applied: ['20250101000000_init'], pending: [], failed: [], edited: [] });
  });
});
