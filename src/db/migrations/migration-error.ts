// Why `db migrate` refused or stopped; `migrationNames` are the folders concerned, so the CLI can name them.

export type MigrationErrorKind =
  /** A migration applied earlier no longer has the checksum recorded for it: someone edited a committed migration. */
  | 'CHECKSUM_MISMATCH'
  /** The migration's SQL failed now; its transaction was rolled back and its row is marked failed. */
  | 'MIGRATION_FAILED'
  /** A migration failed in an earlier run and nobody resolved it (Prisma's P3009). */
  | 'UNRESOLVED_FAILED_MIGRATION';

export class MigrationError extends Error {
  readonly kind: MigrationErrorKind;
  readonly migrationNames: readonly string[];
  /** SQLSTATE of the database error behind MIGRATION_FAILED, when the driver reported one. */
  readonly sqlState: string | undefined;

  constructor(
    kind: MigrationErrorKind,
    migrationNames: readonly string[],
    message: string,
    options: { cause?: unknown; sqlState?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'MigrationError';
    this.kind = kind;
    this.migrationNames = migrationNames;
    this.sqlState = options.sqlState;
  }
}
