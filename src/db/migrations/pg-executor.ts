import pg from 'pg';
import type { SqlExecutor, SqlRow } from './executor.js';

// One connection, not a pool: the advisory lock taken by the migrator belongs to a session and
// each migration's transaction must run on the connection that opened it.
export function pgExecutor(client: pg.ClientBase): SqlExecutor {
  return connectionExecutor(client, false);
}

/** Opens one connection to `connectionString`, hands its executor to `fn`, and closes it whatever happens. */
export async function withPgExecutor<T>(connectionString: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(pgExecutor(client));
  } finally {
    await client.end();
  }
}

function connectionExecutor(client: pg.ClientBase, inTransaction: boolean): SqlExecutor {
  return {
    async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      // Without parameters node-postgres sends a simple Query message, which accepts many statements.
      await client.query(script);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (inTransaction) throw new Error('pgExecutor: nested transactions are not supported');
      await client.query('BEGIN');
      try {
        const result = await fn(connectionExecutor(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
  };
}
