// Each integration test file gets a database of its own on the real PostgreSQL, migrated, and dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { migrateOpenDatabase } from '../../src/db/migrate-database.js';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly db: Database;
  drop(): Promise<void>;
}

function urlFor(name: string, adminUrl = ADMIN_URL): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>, adminUrl = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `adminUrl`: another server than the shared one (a private PostgreSQL a test stops and starts). */
export async function createTestDatabase(options: { migrate?: boolean; adminUrl?: string } = {}): Promise<TestDatabase> {
  const name = `sg_test_${randomBytes(6).toString('hex')}`;
  const adminUrl = options.adminUrl ?? ADMIN_URL;
  await admin((c) => c.query(`CREATE DATABASE ${name}`), adminUrl);
  const url = urlFor(name, adminUrl);
  const db = await openDatabase({ kind: 'postgres', url });
  if (options.migrate !== false) await migrateOpenDatabase(db);
  let dropped = false;
  return {
    url,
    name,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), adminUrl);
    },
  };
}
