import { createHash } from 'node:crypto';
import { decodeStoredFrame, parseDicom } from '../../dicom/index.js';
import { isAppError } from '../../domain/errors.js';
import { readConfinedFile } from './confined-files.js';
import type { ParseOutcome } from './parsed-file.js';
import { patientKey, pseudonymousUid } from './pseudonym.js';

/** One file to parse: the real path read (checked inside `boundary`) and the name shown in failures. */
export interface ParseTarget {
  readonly realPath: string;
  readonly shownPath: string;
}

/**
 * Reads one file into a ParsedFile, pseudonymising on the spot; a bad file becomes a failure, never a throw. The
 * file is read only when it lies inside `boundary` (the import folder's real path); failures name it by `shownPath`.
 */
export async function parseImportFile(target: ParseTarget, secret: string, boundary: string): Promise<ParseOutcome> {
  const { realPath, shownPath } = target;
  try {
    const bytes = await readConfinedFile(boundary, realPath);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const d = parseDicom(bytes, shownPath);
    if (!d.hasPixelData || !d.rows || !d.columns) {
      return { ok: false, failure: { path: shownPath, code: 'INVALID_DICOM', reason: 'no image pixel data' } };
    }
    // Decode the first frame here, in the parse worker: a file whose pixels cannot be read never becomes an instance.
    await decodeStoredFrame(d, 0);
    return {
      ok: true,
      file: {
        path: realPath,
        sizeBytes: bytes.byteLength,
        sha256,
        sopInstanceUid: pseudonymousUid(secret, d.sopInstanceUid),
        studyUid: pseudonymousUid(secret, d.identifiers.studyInstanceUid),
        seriesUid: pseudonymousUid(secret, d.identifiers.seriesInstanceUid),
        patientKey: d.identifiers.patientId ? patientKey(secret, d.identifiers.patientId) : null,
        seriesDescription: d.seriesDescription ?? null,
        seriesNumber: d.seriesNumber ?? null,
        instanceNumber: d.instanceNumber ?? null,
        transferSyntaxUid: d.transferSyntaxUid,
        rows: d.rows,
        columns: d.columns,
        numberOfFrames: d.numberOfFrames,
        pixelSpacing: d.pixelSpacing ?? null,
        sliceThickness: d.sliceThickness ?? null,
        spacingBetweenSlices: d.spacingBetweenSlices ?? null,
        imagePositionPatient: d.imagePositionPatient ?? null,
        imageOrientationPatient: d.imageOrientationPatient ?? null,
        repetitionTime: d.repetitionTime ?? null,
        echoTime: d.echoTime ?? null,
        strata: d.strata,
      },
    };
  } catch (e) {
    const code = isAppError(e) ? e.code : (e as NodeJS.ErrnoException).code ? 'BAD_USER_INPUT' : 'INVALID_DICOM';
    return { ok: false, failure: { path: shownPath, code, reason: failureReason(e, realPath, shownPath) } };
  }
}

/** The error's message without any server path: the real path becomes the shown one, a leading "path: " goes. */
function failureReason(e: unknown, realPath: string, shownPath: string): string {
  const errno = (e as NodeJS.ErrnoException).code;
  if (!isAppError(e) && errno) return `cannot read file (${errno})`;
  const message = e instanceof Error ? e.message : String(e);
  return message.split(realPath).join(shownPath).replace(`${shownPath}: `, '');
}
