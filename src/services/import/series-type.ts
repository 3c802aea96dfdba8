import { seriesTypeFromDescription, type SeriesType } from '../../domain/vocabulary.js';
import { classifyOrientation } from '../../dicom/index.js';
import type { ParsedFile } from './parsed-file.js';

export type Orientation = 'SAGITTAL' | 'CORONAL' | 'AXIAL' | 'OBLIQUE';

export function orientationOf(file: ParsedFile): Orientation | null {
  return file.imageOrientationPatient ? classifyOrientation(file.imageOrientationPatient) : null;
}

/**
 * The series type: the RSNA description CSV first, then the DICOM description, then the acquisition itself
 * (sagittal with a short repetition time is T1-weighted; axial is taken as T2).
 */
export function inferSeriesType(csvDescription: string | undefined, file: ParsedFile): SeriesType {
  const fromText = seriesTypeFromDescription(csvDescription) ?? seriesTypeFromDescription(file.seriesDescription ?? undefined);
  if (fromText) return fromText;
  const orientation = orientationOf(file);
  if (orientation === 'SAGITTAL') return file.repetitionTime !== null && file.repetitionTime < 1000 ? 'SAGITTAL_T1' : 'SAGITTAL_T2_STIR';
  if (orientation === 'AXIAL') return 'AXIAL_T2';
  return 'OTHER';
}
