// The AppErrors the DICOM reader raises. Messages name the file and the reason, so an import report can show them as is.

import { AppError } from '../domain/errors.js';

export function invalidDicom(source: string, reason: string, cause?: unknown): AppError {
  return new AppError('INVALID_DICOM', `${source}: not a readable DICOM file: ${reason}`, { details: { source, reason }, cause });
}

export function unsupportedTransferSyntax(source: string, transferSyntaxUid: string, why = 'is not supported'): AppError {
  return new AppError('UNSUPPORTED_TRANSFER_SYNTAX', `${source}: transfer syntax ${transferSyntaxUid} ${why}`, {
    details: { source, transferSyntaxUid },
  });
}

/** A codec or pixel step failed on data the parser accepted: the file's pixel data is corrupt. */
export function undecodable(source: string, frameIndex: number, reason: string, cause?: unknown): AppError {
  return new AppError('INVALID_DICOM', `${source}: cannot decode frame ${frameIndex}: ${reason}`, {
    details: { source, frameIndex, reason },
    cause,
  });
}

/**
 * dicom-parser and the codecs throw strings, numbers, Errors or wrapper objects; make one readable line of any.
 * JavaScript's own errors inside a pure-JS decoder or dicom-parser ("Cannot read properties of undefined") say
 * nothing a person can act on: they become "malformed data", the original staying the error's cause.
 */
export function describeThrown(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) {
    return 'malformed data (the reader stopped on an inconsistent value)';
  }
  if (e instanceof Error) return e.message;
  if (typeof e === 'number') return `the codec stopped with internal code ${e}, no message`;
  if (e && typeof e === 'object' && 'exception' in e) return describeThrown((e as { exception: unknown }).exception);
  return String(e);
}
