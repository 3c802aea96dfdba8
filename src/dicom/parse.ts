// Bytes -> DicomInstance. Part 10 files, and files without preamble/meta when their first element makes the
// encoding unambiguous. Every failure is an AppError naming the source and the reason; dicom-parser's own
// exceptions (strings, objects, Errors) never escape.

import dicomParser, { type DataSet } from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import type { Vec3 } from '../domain/image.js';
import { readDecimal, readDecimals, readInteger, readString, readUint16 } from './dataset-values.js';
import { isAppError } from '../domain/errors.js';
import { ageBandOf, fieldStrengthOf, manufacturerOf, sexOf } from '../domain/stratifiers.js';
import { describeThrown, invalidDicom, unsupportedTransferSyntax } from './errors.js';
import { nativeSamplesPerFrame } from './frame-bytes.js';
import { frameAttributes, frameGeometries, hasFunctionalGroups } from './functional-groups.js';
import { createSliceGeometry } from './geometry.js';
import { refuseMosaic } from './mosaic.js';
import { checkDataSetSize, DEFAULT_PARSE_BUDGET, isStackOverflow, ParseClock, type ParseBudget } from './parse-budget.js';
import type { DicomInstance, ImageOrientation } from './instance.js';
import { attachPixelSource } from './pixel-source.js';
import { sniffDataSetEncoding, startsWithMetaGroup } from './sniff-encoding.js';
import { TAG } from './tags.js';
import { TS, transferSyntaxInfo } from './transfer-syntax.js';

const PREAMBLE_LENGTH = 128;
/** A deflated data set may not inflate beyond this (a few KB of zeros would otherwise inflate to gigabytes). */
const MAX_INFLATED_BYTES = 2 ** 30;
const DICM = [0x44, 0x49, 0x43, 0x4d];

/**
 * Parses a DICOM file held in memory. `source` (a path or label) appears in error messages only; `budget` bounds
 * what one file may cost (frames, nesting, elements, frame size, time).
 */
export function parseDicom(bytes: Uint8Array, source = '<buffer>', budget: ParseBudget = DEFAULT_PARSE_BUDGET): DicomInstance {
  const clock = new ParseClock(source, budget);
  // The file meta is read lazily too (the transfer syntax string of a file cut inside its meta group throws).
  const { dataSet, transferSyntaxUid } = runParser(source, () => parseDataSet(bytes, source));
  clock.check('after reading the data set');
  // dicom-parser reads values lazily: a value reaching past the end of a damaged file throws only when read.
  const instance = runParser(source, () => {
    checkDataSetSize(dataSet, budget, source, clock);
    refuseMosaic(dataSet, source);
    return buildInstance(dataSet, transferSyntaxUid, source, budget, clock);
  });
  const pixelData = dataSet.elements[TAG.PixelData];
  if (pixelData) attachPixelSource(instance, { dataSet, pixelData });
  return instance;
}

interface ParsedDataSet {
  readonly dataSet: DataSet;
  readonly transferSyntaxUid: string;
}

function hasPart10Prefix(bytes: Uint8Array): boolean {
  return bytes.length >= PREAMBLE_LENGTH + 4 && DICM.every((c, i) => bytes[PREAMBLE_LENGTH + i] === c);
}

function parseDataSet(bytes: Uint8Array, source: string): ParsedDataSet {
  if (hasPart10Prefix(bytes)) return parsePart10(bytes, source);
  if (startsWithMetaGroup(bytes, 0)) {
    // A meta group without the preamble: give it one so the Part 10 reader applies unchanged (rare; one copy).
    const withPreamble = new Uint8Array(PREAMBLE_LENGTH + 4 + bytes.length);
    withPreamble.set(DICM, PREAMBLE_LENGTH);
    withPreamble.set(bytes, PREAMBLE_LENGTH + 4);
    return parsePart10(withPreamble, source);
  }
  const sniffed = sniffDataSetEncoding(bytes, 0);
  if (!sniffed) throw invalidDicom(source, 'no DICM prefix at offset 128 and no recognisable data set at the start');
  return { dataSet: runParser(source, () => dicomParser.parseDicom(bytes, { TransferSyntaxUID: sniffed })), transferSyntaxUid: sniffed };
}

function parsePart10(bytes: Uint8Array, source: string): ParsedDataSet {
  const meta = runParser(source, () => dicomParser.readPart10Header(bytes));
  const declared = readString(meta, TAG.TransferSyntaxUID);
  if (declared === undefined) {
    // Meta present but without (0002,0010): infer the data set's encoding from its first element.
    const start = (meta as DataSet & { position: number }).position;
    const sniffed = sniffDataSetEncoding(bytes, start);
    if (!sniffed)
      throw invalidDicom(source, 'file meta lacks the Transfer Syntax UID (0002,0010) and the data set encoding cannot be inferred');
    const body = bytes.subarray(start);
    return { dataSet: runParser(source, () => dicomParser.parseDicom(body, { TransferSyntaxUID: sniffed })), transferSyntaxUid: sniffed };
  }
  if (!transferSyntaxInfo(declared)) {
    throw unsupportedTransferSyntax(source, declared);
  }
  const dataSet = runParser(source, () =>
    dicomParser.parseDicom(bytes, declared === TS.DEFLATED_EXPLICIT_LE ? { inflater: inflateDataSet } : {}),
  );
  return { dataSet, transferSyntaxUid: declared };
}

/** dicom-parser's inflater contract: return the header bytes followed by the inflated data set. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

function runParser<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isAppError(e)) throw e;
    if (isStackOverflow(e)) {
      throw invalidDicom(source, `sequences nested too deeply to read (more than ${DEFAULT_PARSE_BUDGET.maxSequenceDepth} levels)`, e);
    }
    const reason = describeThrown(e);
    // dicom-parser's words for a file that ends inside an element.
    if (/buffer overrun|past end of buffer|beyond the end|eof encountered/i.test(reason)) {
      throw invalidDicom(source, `the file is truncated: it ends inside a data element (${reason})`, e);
    }
    throw invalidDicom(source, reason, e);
  }
}

function required(ds: DataSet, tag: string, name: string, source: string): string {
  const v = readString(ds, tag);
  if (v === undefined) throw invalidDicom(source, `missing ${name} (${tag.slice(1, 5)},${tag.slice(5)})`);
  return v;
}

function buildInstance(ds: DataSet, transferSyntaxUid: string, source: string, budget: ParseBudget, clock: ParseClock): DicomInstance {
  const sopInstanceUid = required(ds, TAG.SOPInstanceUID, 'SOP Instance UID', source);
  const studyInstanceUid = required(ds, TAG.StudyInstanceUID, 'Study Instance UID', source);
  const seriesInstanceUid = required(ds, TAG.SeriesInstanceUID, 'Series Instance UID', source);

  const pixelElement = ds.elements[TAG.PixelData];
  const hasPixelData = pixelElement !== undefined;
  const rows = readUint16(ds, TAG.Rows);
  const columns = readUint16(ds, TAG.Columns);
  const numberOfFrames = hasPixelData ? readNumberOfFrames(ds, source, budget) : (readInteger(ds, TAG.NumberOfFrames) ?? 1);
  const samplesPerPixel = readUint16(ds, TAG.SamplesPerPixel) ?? 1;
  const bitsAllocated = readUint16(ds, TAG.BitsAllocated);
  const bitsStored = readUint16(ds, TAG.BitsStored) ?? bitsAllocated;
  const highBit = readUint16(ds, TAG.HighBit) ?? (bitsStored === undefined ? undefined : bitsStored - 1);
  const pixelRepresentation = readUint16(ds, TAG.PixelRepresentation) ?? (hasPixelData ? 0 : undefined);
  const photometricInterpretation = readString(ds, TAG.PhotometricInterpretation);
  const pixelModule = {
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    numberOfFrames,
    samplesPerPixel,
    photometricInterpretation,
  };
  if (hasPixelData) {
    validatePixelModule(pixelModule, budget, source);
    // Before anything loops over the frames: the Pixel Data must be able to hold them.
    checkPixelDataLength(ds, pixelModule, source);
  } else {
    refuseImageWithoutPixels(ds, rows, columns, source);
  }

  const enhanced = hasFunctionalGroups(ds);
  const frame0 = enhanced ? frameAttributes(ds, 0) : undefined;
  const pixelSpacing = (readDecimals(ds, TAG.PixelSpacing, 2) as [number, number] | undefined) ?? frame0?.pixelSpacing;
  const imagePositionPatient = (readDecimals(ds, TAG.ImagePositionPatient, 3) as Vec3 | undefined) ?? frame0?.imagePositionPatient;
  const iop = readDecimals(ds, TAG.ImageOrientationPatient, 6) ?? frame0?.imageOrientationPatient;
  const imageOrientationPatient = iop as ImageOrientation | undefined;

  const instance: DicomInstance = {
    source,
    sopInstanceUid,
    sopClassUid: readString(ds, TAG.SOPClassUID),
    studyInstanceUid,
    seriesInstanceUid,
    seriesDescription: readString(ds, TAG.SeriesDescription),
    seriesNumber: readInteger(ds, TAG.SeriesNumber),
    instanceNumber: readInteger(ds, TAG.InstanceNumber),
    modality: readString(ds, TAG.Modality),
    transferSyntaxUid,
    hasPixelData,
    rows,
    columns,
    numberOfFrames,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    samplesPerPixel,
    photometricInterpretation,
    planarConfiguration: readUint16(ds, TAG.PlanarConfiguration) ?? 0,
    rescaleSlope: readDecimal(ds, TAG.RescaleSlope) ?? frame0?.rescaleSlope ?? 1,
    rescaleIntercept: readDecimal(ds, TAG.RescaleIntercept) ?? frame0?.rescaleIntercept ?? 0,
    windowCenter: readDecimal(ds, TAG.WindowCenter),
    windowWidth: readDecimal(ds, TAG.WindowWidth),
    pixelSpacing,
    sliceThickness: readDecimal(ds, TAG.SliceThickness) ?? frame0?.sliceThickness,
    spacingBetweenSlices: readDecimal(ds, TAG.SpacingBetweenSlices) ?? frame0?.spacingBetweenSlices,
    imagePositionPatient,
    imageOrientationPatient,
    repetitionTime: readDecimal(ds, TAG.RepetitionTime),
    echoTime: readDecimal(ds, TAG.EchoTime),
    inversionTime: readDecimal(ds, TAG.InversionTime),
    geometry: createSliceGeometry({ rows, columns, pixelSpacing, imagePositionPatient, imageOrientationPatient }),
    frameGeometries: enhanced ? frameGeometries(ds, numberOfFrames, rows, columns, () => clock.check('reading frame geometry')) : undefined,
    identifiers: { patientId: readString(ds, TAG.PatientID), studyInstanceUid, seriesInstanceUid },
    strata: {
      sex: sexOf(readString(ds, TAG.PatientSex)),
      ageBand: ageBandOf(readString(ds, TAG.PatientAge)),
      manufacturer: manufacturerOf(readString(ds, TAG.Manufacturer)),
      fieldStrength: fieldStrengthOf(readDecimal(ds, TAG.MagneticFieldStrength)),
    },
  };
  return instance;
}

interface PixelModule {
  readonly rows: number | undefined;
  readonly columns: number | undefined;
  readonly bitsAllocated: number | undefined;
  readonly bitsStored: number | undefined;
  readonly highBit: number | undefined;
  readonly pixelRepresentation: number | undefined;
  readonly numberOfFrames: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string | undefined;
}

/** Number of Frames (IS) when Pixel Data is present: absent means 1; anything but a whole number in range is refused. */
function readNumberOfFrames(ds: DataSet, source: string, budget: ParseBudget): number {
  if (!ds.elements[TAG.NumberOfFrames]?.length) return 1;
  const text = (ds.string(TAG.NumberOfFrames) ?? '').trim();
  if (text === '') return 1;
  if (!/^\+?\d{1,12}$/.test(text)) throw invalidDicom(source, `Number of Frames "${text.slice(0, 16)}" is not a positive whole number`);
  const frames = Number(text);
  if (frames < 1) throw invalidDicom(source, `invalid Number of Frames ${frames}`);
  if (frames > budget.maxFrames) {
    throw invalidDicom(source, `Number of Frames ${frames} exceeds the per-file limit of ${budget.maxFrames}`);
  }
  return frames;
}

/** The Image Pixel module's own consistency (PS3.3 C.7.6.3), and the frame size budget. */
function validatePixelModule(m: PixelModule, budget: ParseBudget, source: string): void {
  if (!m.rows || !m.columns) throw invalidDicom(source, 'Pixel Data present but Rows/Columns missing or zero');
  if (m.bitsAllocated === undefined) throw invalidDicom(source, 'Pixel Data present but Bits Allocated (0028,0100) missing');
  if (![1, 8, 16, 32].includes(m.bitsAllocated)) throw invalidDicom(source, `unsupported Bits Allocated ${m.bitsAllocated}`);
  if (m.samplesPerPixel !== 1 && m.samplesPerPixel !== 3) throw invalidDicom(source, `unsupported Samples per Pixel ${m.samplesPerPixel}`);
  const bitsStored = m.bitsStored ?? m.bitsAllocated;
  if (bitsStored < 1 || bitsStored > m.bitsAllocated) {
    throw invalidDicom(source, `Bits Stored ${bitsStored} is not within 1..Bits Allocated (${m.bitsAllocated})`);
  }
  const highBit = m.highBit ?? bitsStored - 1;
  if (highBit < bitsStored - 1 || highBit >= m.bitsAllocated) {
    throw invalidDicom(source, `High Bit ${highBit} does not fit Bits Stored ${bitsStored} in Bits Allocated ${m.bitsAllocated}`);
  }
  if (m.pixelRepresentation !== 0 && m.pixelRepresentation !== 1) {
    throw invalidDicom(source, `Pixel Representation ${m.pixelRepresentation} is neither 0 (unsigned) nor 1 (two's complement)`);
  }
  const samples = m.rows * m.columns * m.samplesPerPixel;
  if (samples > budget.maxFrameSamples) {
    throw invalidDicom(
      source,
      `a frame of ${m.columns}x${m.rows}x${m.samplesPerPixel} samples exceeds the per-file limit of ${budget.maxFrameSamples}`,
    );
  }
}

/**
 * An image object without any Pixel Data element: the file ended before it (a cut at an element boundary parses
 * cleanly), or the object is not an image. Objects without Rows/Columns (reports, waveforms) and those carrying
 * float pixel data or spectroscopy data are left to the caller.
 */
function refuseImageWithoutPixels(ds: DataSet, rows: number | undefined, columns: number | undefined, source: string): void {
  if (!rows || !columns) return;
  if (ds.elements[TAG.FloatPixelData] || ds.elements[TAG.DoubleFloatPixelData]) return;
  const sopClass = readString(ds, TAG.SOPClassUID);
  if (sopClass !== undefined && !IMAGE_SOP_CLASSES.has(sopClass)) return;
  throw invalidDicom(source, 'the file is truncated: it ends before Pixel Data (7FE0,0010), although its header describes an image');
}

/** Storage SOP classes whose instances always carry Pixel Data (PS3.4 B.5): those a spine MRI export holds. */
const IMAGE_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.1', // CR
  '1.2.840.10008.5.1.4.1.1.1.1', // DX
  '1.2.840.10008.5.1.4.1.1.2', // CT
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT
  '1.2.840.10008.5.1.4.1.1.4', // MR
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.1',
  '1.2.840.10008.5.1.4.1.1.7.2',
  '1.2.840.10008.5.1.4.1.1.7.3',
  '1.2.840.10008.5.1.4.1.1.7.4',
]);

/**
 * Native pixel data must hold every frame; encapsulated pixel data needs a fragment per frame (PS3.5 A.4: a fragment
 * never holds more than one frame), and its last fragment must lie inside the file.
 */
function checkPixelDataLength(ds: DataSet, m: PixelModule, source: string): void {
  const element = ds.elements[TAG.PixelData];
  if (element.encapsulatedPixelData) {
    const fragments = element.fragments?.length ?? 0;
    if (!fragments) throw invalidDicom(source, 'encapsulated Pixel Data has no fragments');
    const last = element.fragments![fragments - 1];
    if (last.position + last.length > ds.byteArray.length) throw invalidDicom(source, 'encapsulated Pixel Data is truncated');
    if (m.numberOfFrames > fragments) {
      throw invalidDicom(source, `Number of Frames ${m.numberOfFrames} but the Pixel Data holds only ${fragments} fragment(s)`);
    }
    return;
  }
  const bits = nativeSamplesPerFrame(m) * m.numberOfFrames * (m.bitsAllocated ?? 0);
  const needed = Math.ceil(bits / 8);
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  if (available < needed)
    throw invalidDicom(source, `Pixel Data holds ${available} bytes, ${needed} needed for ${m.numberOfFrames} frame(s)`);
}
