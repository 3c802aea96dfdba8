// How a DICOMweb exchange fails, in words a person can act on. Messages name the source, never its URL or
// credentials, and never echo what the archive sent back (it could carry identifiers).
import { AppError, unavailable } from '../domain/errors.js';

export function sourceUnreachable(source: string, cause: unknown, part?: string): AppError {
  const why = describeNetworkError(cause);
  const where = part ? `DICOMweb source "${source}" (its ${part})` : `DICOMweb source "${source}"`;
  // The network error is described in words, not attached: its message and cause name the archive's address.
  // (isDatabaseUnavailable reads ECONNREFUSED only from the database client's errors, so a cause would be safe.)
  return unavailable(`${where} is unreachable (${why}); check that the archive is up, or try again later`);
}

export function sourceTimedOut(source: string, what: string, ms: number): AppError {
  return unavailable(`DICOMweb source "${source}" did not answer ${what} within ${ms} ms`);
}

export function sourceRejectedCredentials(source: string, status: number): AppError {
  return new AppError(
    'SOURCE_AUTH_FAILED',
    `DICOMweb source "${source}" refused spinegraph's credentials (HTTP ${status}); the operator must fix the source's auth in DICOMWEB_SOURCES`,
  );
}

/** An HTTP answer other than success; details.httpStatus tells it from a network failure. */
export function sourceHttpError(source: string, what: string, status: number): AppError {
  const details = { httpStatus: status };
  if (status === 404) return new AppError('NOT_FOUND', `DICOMweb source "${source}" has no ${what}`, { details });
  if (status >= 500 || status === 429 || status === 408)
    return new AppError('SERVICE_UNAVAILABLE', `DICOMweb source "${source}" failed on ${what} (HTTP ${status}); try again later`, {
      retryable: true,
      details,
    });
  return new AppError('BAD_USER_INPUT', `DICOMweb source "${source}" refused ${what} (HTTP ${status})`, { details });
}

export function isHttpAnswer(e: unknown): boolean {
  return e instanceof AppError && typeof e.details?.httpStatus === 'number';
}

function describeNetworkError(e: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = e;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) {
      return (
        {
          ECONNREFUSED: 'connection refused',
          ENOTFOUND: 'host name not found',
          EHOSTUNREACH: 'host unreachable',
          ECONNRESET: 'connection reset',
          ETIMEDOUT: 'connection timed out',
        }[code] ?? code
      );
    }
    current = (current as { cause?: unknown }).cause;
  }
  return 'network error';
}
