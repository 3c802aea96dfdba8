// Bytes -> DicomInstance. Part 10 files, and files without preamble/meta when their first element makes the
// encoding unambiguous. Every failure is an AppError naming the source and the reason; dicom-parser's own
// exceptions (strings, objects, Errors) never escape.

import dicomParser, { type DataSet } from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import type { Vec3 } from '../domain/image.js';
import { readDecimal, readDecimals, readInteger, readString, readUint16 } from './dataset-values.js';
import { describeThrown, invalidDicom, unsupportedTransferSyntax } from './errors.js';
import { nativeSamplesPerFrame } from './frame-bytes.js';
import { frameAttributes, frameGeometries, hasFunctionalGroups } from './functional-groups.js';
import { createSliceGeometry } from './geometry.js';
import type { DicomInstance, ImageOrientation } from './instance.js';
import { attachPixelSource } from './pixel-source.js';
import { sniffDataSetEncoding, startsWithMetaGroup } from './sniff-encoding.js';
import { TAG } from './tags.js';
import { TS, transferSyntaxInfo } from './transfer-syntax.js';

const PREAMBLE_LENGTH = 128;
const DICM = [0x44, 0x49, 0x43, 0x4d];

/** Parses a DICOM file held in memory. `source` (a path or label) appears in error messages only. */
export function parseDicom(bytes: Uint8Array, source = '<buffer>'): DicomInstance {
  const { dataSet, transferSyntaxUid } = parseDataSet(bytes, source);
  const instance = buildInstance(dataSet, transferSyntaxUid, source);
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
  const inflated = inflateRawSync(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

function runParser<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw invalidDicom(source, describeThrown(e), e);
  }
}

function required(ds: DataSet, tag: string, name: string, source: string): string {
  const v = readString(ds, tag);
  if (v === undefined) throw invalidDicom(source, `missing ${name} (${tag.slice(1, 5)},${tag.slice(5)})`);
  return v;
}

function buildInstance(ds: DataSet, transferSyntaxUid: string, source: string): DicomInstance {
  const sopInstanceUid = required(ds, TAG.SOPInstanceUID, 'SOP Instance UID', source);
  const studyInstanceUid = required(ds, TAG.StudyInstanceUID, 'Study Instance UID', source);
  const seriesInstanceUid = required(ds, TAG.SeriesInstanceUID, 'Series Instance UID', source);

  const pixelElement = ds.elements[TAG.PixelData];
  const hasPixelData = pixelElement !== undefined;
  const rows = readUint16(ds, TAG.Rows);
  const columns = readUint16(ds, TAG.Columns);
  const numberOfFrames = readInteger(ds, TAG.NumberOfFrames) ?? 1;
  const samplesPerPixel = readUint16(ds, TAG.SamplesPerPixel) ?? 1;
  const bitsAllocated = readUint16(ds, TAG.BitsAllocated);
  if (hasPixelData) validatePixelModule({ rows, columns, bitsAllocated, numberOfFrames, samplesPerPixel }, source);

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
    bitsStored: readUint16(ds, TAG.BitsStored) ?? bitsAllocated,
    highBit:
      readUint16(ds, TAG.HighBit) ?? (bitsAllocated === undefined ? undefined : (readUint16(ds, TAG.BitsStored) ?? bitsAllocated) - 1),
    pixelRepresentation: readUint16(ds, TAG.PixelRepresentation) ?? (hasPixelData ? 0 : undefined),
    samplesPerPixel,
    photometricInterpretation: readString(ds, TAG.PhotometricInterpretation),
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
    frameGeometries: enhanced ? frameGeometries(ds, numberOfFrames, rows, columns) : undefined,
    identifiers: { patientId: readString(ds, TAG.PatientID), studyInstanceUid, seriesInstanceUid },
  };
  if (hasPixelData) checkPixelDataLength(ds, instance, source);
  return instance;
}

function validatePixelModule(
  m: { rows?: number; columns?: number; bitsAllocated?: number; numberOfFrames: number; samplesPerPixel: number },
  source: string,
): void {
  if (!m.rows || !m.columns) throw invalidDicom(source, 'Pixel Data present but Rows/Columns missing or zero');
  if (!m.bitsAllocated || ![1, 8, 16, 32].includes(m.bitsAllocated))
    throw invalidDicom(source, `unsupported Bits Allocated ${m.bitsAllocated}`);
  if (!(m.numberOfFrames >= 1)) throw invalidDicom(source, `invalid Number of Frames ${m.numberOfFrames}`);
  if (m.samplesPerPixel !== 1 && m.samplesPerPixel !== 3) throw invalidDicom(source, `unsupported Samples per Pixel ${m.samplesPerPixel}`);
}

/** Native pixel data must hold every frame; encapsulated pixel data must hold at least one fragment per frame's worth. */
function checkPixelDataLength(ds: DataSet, instance: DicomInstance, source: string): void {
  const element = ds.elements[TAG.PixelData];
  if (element.encapsulatedPixelData) {
    if (!element.fragments?.length) throw invalidDicom(source, 'encapsulated Pixel Data has no fragments');
    const last = element.fragments[element.fragments.length - 1];
    if (last.position + last.length > ds.byteArray.length) throw invalidDicom(source, 'encapsulated Pixel Data is truncated');
    return;
  }
  const bits = nativeSamplesPerFrame(instance) * instance.numberOfFrames * (instance.bitsAllocated ?? 0);
  const needed = Math.ceil(bits / 8);
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  if (available < needed)
    throw invalidDicom(source, `Pixel Data holds ${available} bytes, ${needed} needed for ${instance.numberOfFrames} frame(s)`);
}
