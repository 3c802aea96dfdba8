// Opens the database the configuration names: PostgreSQL through @prisma/adapter-pg, or the embedded
// PGlite database (file-backed) through its Prisma adapter. Same client, same queries, same migrations.
import { mkdirSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';
import type { Config } from '../config.js';
import type { SqlExecutor as MigrationExecutor } from './migrations/executor.js';
import { pgliteExecutor } from './migrations/pglite-executor.js';
import { withPgExecutor } from './migrations/pg-executor.js';
import { lockEmbeddedDatabase } from './embedded-lock.js';

export type { PrismaClient };
export type DatabaseTarget = Config['database'];

/** A raw SQL door for the few statements Prisma cannot express (bulk unnest inserts, aggregates, migrations). */
export interface SqlExecutor {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  exec(sql: string): Promise<void>;
}

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  readonly sql: SqlExecutor;
  /** Cheap round trip used by /readyz. */
  ping(): Promise<void>;
  /** A single-connection executor for the migrator (advisory lock and per-migration transactions). */
  withMigrationExecutor<T>(fn: (executor: MigrationExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPglite(target.dir);
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000 });
  // A pool error (a backend killed under us) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const sql: SqlExecutor = {
    async query<R extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) {
      const result = await pool.query(text, params as unknown[]);
      return result.rows as R[];
    },
    async exec(text: string) {
      await pool.query(text);
    },
  };
  return {
    kind: 'postgres',
    prisma,
    sql,
    async ping() {
      await pool.query('SELECT 1');
    },
    withMigrationExecutor: (fn) => withPgExecutor(url, fn),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dir: string): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const lock = lockEmbeddedDatabase(dir);
  let client: PGlite;
  try {
    client = await PGlite.create(dir);
  } catch (e) {
    lock.release();
    throw e;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const sql: SqlExecutor = {
    async query<R extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) {
      const result = await client.query<R>(text, params as unknown[]);
      return result.rows;
    },
    async exec(text: string) {
      await client.exec(text);
    },
  };
  return {
    kind: 'pglite',
    prisma,
    sql,
    async ping() {
      await client.query('SELECT 1');
    },
    withMigrationExecutor: (fn) => fn(pgliteExecutor(client)),
    async close() {
      try {
        await prisma.$disconnect();
        await client.close();
      } finally {
        lock.release();
      }
    },
  };
}
