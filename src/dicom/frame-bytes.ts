// Locates the bytes of one frame inside the Pixel Data element, without copying when the frame is contiguous.
// Encapsulated frames are found through the Basic Offset Table when there is one; without it, by the layout the
// standard allows: one frame in all fragments, one fragment per frame, or (JPEG family) fragment runs ending in EOI
// via dicom-parser's createJPEGBasicOffsetTable, or (JPEG 2000) runs starting with a codestream or JP2 signature.

import dicomParser from 'dicom-parser';
import type { DicomInstance } from './instance.js';
import { isAppError } from '../domain/errors.js';
import { describeThrown, invalidDicom } from './errors.js';
import type { PixelSource } from './pixel-source.js';
import type { PixelEncoding } from './transfer-syntax.js';

export interface NativeFrameBytes {
  readonly kind: 'native';
  readonly bytes: Uint8Array;
  /** Bit offset of the frame's first sample inside `bytes[0]`; non-zero only for 1-bit data. */
  readonly bitOffset: number;
}

export interface EncapsulatedFrameBytes {
  readonly kind: 'encapsulated';
  readonly bytes: Uint8Array;
}

const computedOffsetTables = new WeakMap<PixelSource, number[]>();

export function nativeFrameBytes(instance: DicomInstance, source: PixelSource, frameIndex: number): NativeFrameBytes {
  const { dataSet, pixelData } = source;
  const samplesPerFrame = nativeSamplesPerFrame(instance);
  const bitsPerFrame = samplesPerFrame * (instance.bitsAllocated ?? 0);
  const startBit = frameIndex * bitsPerFrame;
  const start = pixelData.dataOffset + Math.floor(startBit / 8);
  const length = Math.ceil(((startBit % 8) + bitsPerFrame) / 8);
  return { kind: 'native', bytes: dataSet.byteArray.subarray(start, start + length), bitOffset: startBit % 8 };
}

/** YBR_FULL_422 native data stores two luma samples per chroma pair: 2 samples per pixel, not 3. */
export function nativeSamplesPerFrame(
  instance: Pick<DicomInstance, 'rows' | 'columns' | 'photometricInterpretation' | 'samplesPerPixel'>,
): number {
  const pixels = (instance.rows ?? 0) * (instance.columns ?? 0);
  return instance.photometricInterpretation === 'YBR_FULL_422' && instance.samplesPerPixel === 3
    ? pixels * 2
    : pixels * instance.samplesPerPixel;
}

export function encapsulatedFrameBytes(
  instance: DicomInstance,
  source: PixelSource,
  frameIndex: number,
  encoding: PixelEncoding,
): EncapsulatedFrameBytes {
  const { dataSet, pixelData } = source;
  const fragments = pixelData.fragments ?? [];
  const frames = instance.numberOfFrames;
  try {
    if (pixelData.basicOffsetTable?.length) {
      return { kind: 'encapsulated', bytes: dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frameIndex) };
    }
    if (frames === 1) {
      return { kind: 'encapsulated', bytes: dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, fragments.length) };
    }
    if (fragments.length === frames) {
      return { kind: 'encapsulated', bytes: dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, frameIndex, 1) };
    }
    const table = offsetTableFor(source, encoding, instance);
    return { kind: 'encapsulated', bytes: dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frameIndex, table) };
  } catch (e) {
    if (isAppError(e)) throw e;
    throw invalidDicom(instance.source, `cannot locate frame ${frameIndex}: ${describeThrown(e)}`, e);
  }
}

function offsetTableFor(source: PixelSource, encoding: PixelEncoding, instance: DicomInstance): number[] {
  const cached = computedOffsetTables.get(source);
  if (cached) return cached;
  let table: number[];
  if (encoding === 'jpeg' || encoding === 'jpeg-lossless' || encoding === 'jpeg-ls') {
    table = dicomParser.createJPEGBasicOffsetTable(source.dataSet, source.pixelData);
  } else if (encoding === 'jpeg-2000') {
    table = offsetsOfFragmentsStartingFrames(source, isJpeg2000Start);
  } else {
    // RLE: PS3.5 A.4.2 puts each frame in exactly one fragment; anything else is malformed.
    throw invalidDicom(
      instance.source,
      `${source.pixelData.fragments?.length} fragments for ${instance.numberOfFrames} frames without a Basic Offset Table`,
    );
  }
  if (table.length !== instance.numberOfFrames) {
    throw invalidDicom(instance.source, `found ${table.length} frame starts in the fragments, expected ${instance.numberOfFrames}`);
  }
  computedOffsetTables.set(source, table);
  return table;
}

function offsetsOfFragmentsStartingFrames(source: PixelSource, startsFrame: (bytes: Uint8Array, at: number) => boolean): number[] {
  const bytes = source.dataSet.byteArray;
  return (source.pixelData.fragments ?? []).filter((f) => startsFrame(bytes, f.position)).map((f) => f.offset);
}

/** J2K codestream (SOC FF4F followed by SIZ FF51) or a JP2 file signature box. */
function isJpeg2000Start(b: Uint8Array, at: number): boolean {
  if (b[at] === 0xff && b[at + 1] === 0x4f && b[at + 2] === 0xff && b[at + 3] === 0x51) return true;
  return b[at] === 0 && b[at + 1] === 0 && b[at + 2] === 0 && b[at + 3] === 0x0c && b[at + 4] === 0x6a && b[at + 5] === 0x50;
}
