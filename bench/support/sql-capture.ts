// Records the SQL a service issues through `db.sql`, so the benchmark can time and EXPLAIN exactly those statements
// rather than copies of them that could drift from the code.
import type pg from 'pg';
import type { Database } from '../../src/db/client.js';

export interface CapturedStatement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export async function captureSql(db: Database, fn: (db: Database) => Promise<unknown>): Promise<CapturedStatement[]> {
  const statements: CapturedStatement[] = [];
  const capturing: Database = {
    ...db,
    sql: {
      query: (text, params = []) => {
        statements.push({ text, params });
        return db.sql.query(text, params);
      },
      exec: (text) => {
        statements.push({ text, params: [] });
        return db.sql.exec(text);
      },
    },
  };
  await fn(capturing);
  return statements;
}

/** EXPLAIN (ANALYZE, BUFFERS) of one statement: the plan's lines and the execution time PostgreSQL reports. */
export async function explainAnalyze(client: pg.Client, s: CapturedStatement): Promise<{ plan: string[]; executionMs: number }> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.params as unknown[]);
  const plan = rows.map((r) => r['QUERY PLAN']);
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? NaN);
  return { plan, executionMs };
}
