// Errors that cross layers carry a stable code; GraphQL exposes it as `extensions.code`.

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INVALID_DICOM',
  'UNSUPPORTED_TRANSFER_SYNTAX',
  /** A readable DICOM object of a kind spinegraph does not handle (e.g. a Siemens mosaic). */
  'UNSUPPORTED_DICOM',
  'MODEL_MISMATCH',
  'JOB_CANCELLED',
  'TRAINING_FAILED',
  'SOURCE_AUTH_FAILED',
  'QUANTIZATION_FAILED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Bad input is not retried by the job queue; transient failures are. */
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('BAD_USER_INPUT', message, { details });
export const notFound = (what: string, id: string): AppError =>
  new AppError('NOT_FOUND', `${what} ${id} was not found`, { details: { id } });
export const conflict = (message: string): AppError => new AppError('CONFLICT', message);
export const unavailable = (message: string, cause?: unknown): AppError =>
  new AppError('SERVICE_UNAVAILABLE', message, { retryable: true, cause });

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
