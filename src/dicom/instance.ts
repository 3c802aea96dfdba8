// What spinegraph keeps of one DICOM instance. Deliberately narrow: no patient name, birth date, address,
// institution or physician ever leaves the parser; the patient ID travels only in `identifiers`, which the importer
// turns into a keyed HMAC and then drops.

import type { SliceGeometry, Vec3 } from '../domain/image.js';
import type { Manufacturer, Sex } from '../domain/stratifiers.js';

export type ImageOrientation = readonly [number, number, number, number, number, number];

/** Identifiers the importer needs to group and pseudonymise; never stored or logged as they are. */
export interface DicomIdentifiers {
  readonly patientId: string | undefined;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export interface DicomInstance {
  /** Where the bytes came from (a path or a label), for error messages only. */
  readonly source: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string | undefined;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly seriesDescription: string | undefined;
  readonly seriesNumber: number | undefined;
  readonly instanceNumber: number | undefined;
  readonly modality: string | undefined;
  readonly transferSyntaxUid: string;

  /** Undefined (with the pixel fields below) for objects without Pixel Data: reports, waveforms. */
  readonly hasPixelData: boolean;
  readonly rows: number | undefined;
  readonly columns: number | undefined;
  /** 1 for single-frame objects. */
  readonly numberOfFrames: number;
  readonly bitsAllocated: number | undefined;
  readonly bitsStored: number | undefined;
  readonly highBit: number | undefined;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number | undefined;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string | undefined;
  /** 0 colour-by-pixel, 1 colour-by-plane; only meaningful when samplesPerPixel > 1. */
  readonly planarConfiguration: number;
  /** Defaults 1 and 0 when absent, as the standard's modality LUT implies. */
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly windowCenter: number | undefined;
  readonly windowWidth: number | undefined;

  /** [row spacing, column spacing] in mm, as DICOM PixelSpacing. */
  readonly pixelSpacing: readonly [number, number] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  readonly imagePositionPatient: Vec3 | undefined;
  readonly imageOrientationPatient: ImageOrientation | undefined;
  /** MR timing, useful to tell T1 from T2 and STIR when a series description is unhelpful (ms). */
  readonly repetitionTime: number | undefined;
  readonly echoTime: number | undefined;
  readonly inversionTime: number | undefined;

  /** Present when rows, columns, pixel spacing, position and orientation all are. */
  readonly geometry: SliceGeometry | undefined;
  /** Per-frame geometry of enhanced multi-frame objects (functional groups); undefined otherwise. */
  readonly frameGeometries: readonly (SliceGeometry | undefined)[] | undefined;

  readonly identifiers: DicomIdentifiers;
  /** Non-identifying attributes to stratify cohorts by, already reduced (the exact age never leaves the parser). */
  readonly strata: DicomStrata;
}

export interface DicomStrata {
  readonly sex: Sex | null;
  /** 5-year band, 90 and over collapsed ("90+"). */
  readonly ageBand: string | null;
  readonly manufacturer: Manufacturer | null;
  /** Tesla, rounded to 0.1. */
  readonly fieldStrength: number | null;
}

/** Narrows to instances that have a plane geometry, e.g. before orderIntoStacks. */
export function hasGeometry(instance: DicomInstance): instance is DicomInstance & { readonly geometry: SliceGeometry } {
  return instance.geometry !== undefined;
}
