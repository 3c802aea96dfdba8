import { readDicomFile } from '../../dicom/index.js';
import { isAppError } from '../../domain/errors.js';
import type { ParseOutcome } from './parsed-file.js';
import { patientKey, pseudonymousUid } from './pseudonym.js';

/** Reads one file into a ParsedFile, pseudonymising on the spot; a bad file becomes a failure, never a throw. */
export async function parseImportFile(path: string, secret: string): Promise<ParseOutcome> {
  try {
    const { instance: d, sizeBytes, sha256 } = await readDicomFile(path);
    if (!d.hasPixelData || !d.rows || !d.columns) {
      return { ok: false, failure: { path, code: 'INVALID_DICOM', reason: 'no image pixel data' } };
    }
    return {
      ok: true,
      file: {
        path,
        sizeBytes,
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
      },
    };
  } catch (e) {
    const code = isAppError(e) ? e.code : 'INVALID_DICOM';
    const reason = e instanceof Error ? e.message.replace(`${path}: `, '') : String(e);
    return { ok: false, failure: { path, code, reason } };
  }
}
