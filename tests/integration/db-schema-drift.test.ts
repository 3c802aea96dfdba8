// The gate that fails when prisma/schema.prisma and prisma/migrations disagree, plus proof that it can fail.
// Each diff boots Prisma's wasm schema engine and in-memory PGlite databases: seconds each, more on a busy machine.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, writeMigration } from '../../src/db/migrations/schema-diff.js';

const repoSchema = path.resolve('prisma/schema.prisma');
const repoMigrations = path.resolve('prisma/migrations');

describe('schema.prisma vs committed migrations', () => {
  it(
    'agree (if this fails: npx tsx scripts/migration-diff.ts --name <what_changed>, see CONTRIBUTING.md)',
    { timeout: 120_000 },
    async () => {
      const diff = await diffMigrationsToSchema({ migrationsDir: repoMigrations, schemaPath: repoSchema });
      expect(diff.sql).toBe('');
      expect(diff.hasChanges).toBe(false);
    },
  );
});

describe('the drift check on a modified copy', () => {
  let work: string;
  let schemaPath: string;
  let migrationsDir: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sg-drift-'));
    schemaPath = path.join(work, 'schema.prisma');
    migrationsDir = path.join(work, 'migrations');
    await cp(repoMigrations, migrationsDir, { recursive: true });
    const schema = await readFile(repoSchema, 'utf8');
    const edited = schema.replace(/model Project \{\n/, 'model Project {\n  note        String?\n');
    expect(edited).not.toBe(schema);
    await writeFile(schemaPath, edited);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reports the missing column as SQL, and agrees again once the generated migration is written', { timeout: 180_000 }, async () => {
    const before = await diffMigrationsToSchema({ migrationsDir, schemaPath });
    expect(before.hasChanges).toBe(true);
    expect(before.sql).toContain('ALTER TABLE "Project" ADD COLUMN     "note" TEXT;');

    await writeMigration({ migrationsDir, name: 'project note', sql: before.sql });
    const after = await diffMigrationsToSchema({ migrationsDir, schemaPath });
    expect(after.hasChanges).toBe(false);
  });
});
