// What a database error means to the caller, whichever door it came through (pg directly, Prisma with the pg
// adapter, PGlite): an outage (the server down, restarting, unreachable, a connection cut) is transient and is
// answered SERVICE_UNAVAILABLE / retried by jobs; a value PostgreSQL could not read as its column type (22P02, a
// malformed id) is the caller's bad input. Everything else is an internal error.

/** pg / Node error codes and PostgreSQL SQLSTATEs of an outage or a connection lost. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  // Prisma's: cannot reach, timed out, server closed the connection, pool timeout.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);
/** Prisma driver-adapter error kinds of the same. */
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection (is )?closed|Client has encountered a connection error|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server|server closed the connection|ECONNREFUSED|timeout exceeded when trying to connect/i;

const INVALID_VALUE_CODES = new Set(['22P02', 'P2023']);

/** Prisma's errors and its driver adapter's: what they wrap (cause, meta, driverAdapterError) came from the database. */
function isPrismaError(e: Record<string, unknown>): boolean {
  const name = typeof e.name === 'string' ? e.name : '';
  return name.startsWith('PrismaClient') || name === 'DriverAdapterError' || typeof e.clientVersion === 'string';
}

/** spinegraph's own AppError (domain/errors.ts): it wraps a cause deliberately, e.g. a failed result write. */
function isOwnError(e: Record<string, unknown>): boolean {
  return e.name === 'AppError' || (typeof e.code === 'string' && typeof e.retryable === 'boolean');
}

/**
 * The objects of `error` that can speak for the database: the error itself, what a GraphQL error, an AppError or a
 * Prisma error wraps, and the members of an AggregateError (pg tries every address of localhost). The cause of any
 * other error is not followed: a `fetch failed` whose cause is ECONNREFUSED is a DICOMweb archive (or any HTTP peer)
 * refusing, not PostgreSQL. Depth-bounded.
 */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  for (let steps = 0; queue.length > 0 && steps < 20; steps++) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    yield record;
    if ('originalError' in record) queue.push(record.originalError);
    if (isPrismaError(record)) {
      for (const key of ['cause', 'meta', 'driverAdapterError']) if (key in record) queue.push(record[key]);
    } else if (isOwnError(record) && 'cause' in record) {
      queue.push(record.cause);
    } else if (!(record instanceof Error)) {
      // Prisma's `meta` is a plain object holding the adapter's error, whose `cause` is the driver's ({ kind, ... }).
      for (const key of ['driverAdapterError', 'cause']) if (key in record) queue.push(record[key]);
    }
    if (record.name === 'AggregateError' && Array.isArray(record.errors)) queue.push(...record.errors);
  }
}

/** True when `error` says the database is down, unreachable, restarting or cut the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.kind === 'string' && UNAVAILABLE_KINDS.has(e.kind)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** True when PostgreSQL could not read a value as its column's type (a malformed id or timestamp in a request). */
export function isInvalidValue(error: unknown): boolean {
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && INVALID_VALUE_CODES.has(e.code)) return true;
    if (e.kind === 'InvalidInputValue') return true;
  }
  return false;
}
