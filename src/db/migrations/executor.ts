// The few database operations the migrator needs, so one migrator serves PostgreSQL (pg) and embedded PGlite.

export type SqlRow = Record<string, unknown>;

export interface SqlExecutor {
  /** One statement with $1..$n parameters (extended protocol). */
  query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of any number of statements, no parameters (simple protocol), so `$$` bodies and `;` inside them survive. */
  exec(script: string): Promise<void>;
  /** Runs `fn` inside BEGIN/COMMIT on the same connection; ROLLBACK and rethrow when it throws. Not nestable. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
