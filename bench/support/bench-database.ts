// A fresh, migrated PostgreSQL database for one benchmark run, dropped afterwards (also when the run fails).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { migrateOpenDatabase } from '../../src/db/migrate-database.js';

/** The server's maintenance database; the benchmark databases are created next to it. */
export const BENCH_ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly url: string;
  readonly name: string;
  readonly db: Database;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`benchmarks need PostgreSQL at ${BENCH_ADMIN_URL} (set BENCH_DATABASE_URL): ${(e as Error).message}`, { cause: e });
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `sg_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  let db: Database | undefined;
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await db?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    db = await openDatabase({ kind: 'postgres', url: url.toString() });
    await migrateOpenDatabase(db);
  } catch (e) {
    await drop();
    throw e;
  }
  return { url: url.toString(), name, db, drop };
}

/** Runs `fn` on a fresh database and drops it whatever happens. */
export async function withBenchDatabase<T>(label: string, fn: (bench: BenchDatabase) => Promise<T>): Promise<T> {
  const bench = await createBenchDatabase(label);
  try {
    return await fn(bench);
  } finally {
    await bench.drop();
  }
}
