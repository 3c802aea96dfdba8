import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationChecksum } from '../../src/db/migrations/checksum.js';
import { assertPostgresLock, POSTGRES_LOCK_FILE_CONTENT, readMigrationFolders } from '../../src/db/migrations/migration-files.js';
import { migrationFolderName, slugify } from '../../src/db/migrations/migration-name.js';
import { writeMigration } from '../../src/db/migrations/schema-diff.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sg-migfiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readMigrationFolders', () => {
  it('lists folders in name order with the checksum of the file bytes, ignoring loose files', async () => {
    for (const name of ['20250301000000_c', '20250101000000_a', '20250201000000_b']) {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, 'migration.sql'), `-- ${name}\r\n`);
    }
    await writeFile(path.join(dir, 'migration_lock.toml'), POSTGRES_LOCK_FILE_CONTENT);
    const folders = await readMigrationFolders(dir);
    expect(folders.map((f) => f.name)).toEqual(['20250101000000_a', '20250201000000_b', '20250301000000_c']);
    expect(folders[0].checksum).toBe(migrationChecksum(await readFile(path.join(dir, '20250101000000_a', 'migration.sql'))));
    expect(folders[0].script).toBe('-- 20250101000000_a\r\n');
  });

  it('names a folder that has no migration.sql', async () => {
    await mkdir(path.join(dir, '20250101000000_broken'));
    await expect(readMigrationFolders(dir)).rejects.toThrow(/20250101000000_broken/);
  });

  it('returns nothing for a missing directory', async () => {
    await expect(readMigrationFolders(path.join(dir, 'absent'))).resolves.toEqual([]);
  });
});

describe('assertPostgresLock', () => {
  it('accepts Prisma’s lock file and no lock file, refuses another provider', () => {
    expect(() => assertPostgresLock(POSTGRES_LOCK_FILE_CONTENT, dir)).not.toThrow();
    expect(() => assertPostgresLock(null, dir)).not.toThrow();
    expect(() => assertPostgresLock('provider = "sqlite"\n', dir)).toThrow(/sqlite/);
  });
});

describe('migration names', () => {
  it('slugs names as the Prisma CLI does', () => {
    expect(slugify('Add audit trigger')).toBe('add_audit_trigger');
    expect(slugify('addStudyIndex')).toBe('add_study_index');
    expect(slugify('  Été -- 2 ')).toBe('ete_2');
    expect(slugify('x'.repeat(300))).toHaveLength(200);
  });

  it('prefixes a UTC timestamp', () => {
    expect(migrationFolderName('init', new Date('2025-06-01T09:08:07Z'))).toBe('20250601090807_init');
    expect(() => migrationFolderName('---')).toThrow(/no letters or digits/);
  });

  it('writes the folder and lock file and refuses to overwrite a migration', async () => {
    const now = new Date('2025-06-01T09:08:07Z');
    const written = await writeMigration({ migrationsDir: dir, name: 'first one', sql: 'SELECT 1;\n', now });
    expect(written.name).toBe('20250601090807_first_one');
    expect(await readFile(written.file, 'utf8')).toBe('SELECT 1;\n');
    expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toBe(POSTGRES_LOCK_FILE_CONTENT);
    await expect(writeMigration({ migrationsDir: dir, name: 'first one', sql: 'SELECT 2;\n', now })).rejects.toThrow(/EEXIST/);
  });
});
