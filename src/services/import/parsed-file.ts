import type { DicomStrata } from '../../dicom/index.js';
import type { Vec3 } from '../../domain/image.js';

/** What the importer keeps of one DICOM file: geometry and pseudonymised ids, no pixels, no PHI. */
export interface ParsedFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly sopInstanceUid: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly patientKey: string | null;
  readonly seriesDescription: string | null;
  readonly seriesNumber: number | null;
  readonly instanceNumber: number | null;
  readonly transferSyntaxUid: string;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly pixelSpacing: readonly [number, number] | null;
  readonly sliceThickness: number | null;
  readonly spacingBetweenSlices: number | null;
  readonly imagePositionPatient: Vec3 | null;
  readonly imageOrientationPatient: readonly [number, number, number, number, number, number] | null;
  readonly repetitionTime: number | null;
  readonly echoTime: number | null;
  /** Sex, age band, vendor, field strength: reduced by the parser, stored on the study. */
  readonly strata: DicomStrata;
}

export interface FileFailure {
  readonly path: string;
  readonly code: string;
  readonly reason: string;
}

export type ParseOutcome = { readonly ok: true; readonly file: ParsedFile } | { readonly ok: false; readonly failure: FileFailure };
