import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import type { SqlExecutor, SqlRow } from './executor.js';

type PgliteQueryable = Pick<Transaction, 'query' | 'exec'>;

// PGlite is a single in-process connection; its own transaction() serialises everything else on it meanwhile.
export function pgliteExecutor(db: PGliteInterface): SqlExecutor {
  return {
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(transactionExecutor(tx))),
  };
}

function transactionExecutor(tx: Transaction): SqlExecutor {
  return {
    ...queryable(tx),
    transaction() {
      return Promise.reject(new Error('pgliteExecutor: nested transactions are not supported'));
    },
  };
}

function queryable(db: PgliteQueryable): Pick<SqlExecutor, 'query' | 'exec'> {
  return {
    async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await db.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      await db.exec(script);
    },
  };
}
