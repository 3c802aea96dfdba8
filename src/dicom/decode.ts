// Pixel decoding of a parsed instance: stored values (decodeStoredFrame, pixel-identical across lossless transfer
// syntaxes) and modality values (decodeFrame: rescale applied, MONOCHROME1 inverted, colour reduced to luminance).

import type { ImageFrame } from '../domain/image.js';
import { AppError, isAppError } from '../domain/errors.js';
import {
  endsWithEndMarker,
  loadFrameDecoder,
  streamHeader,
  type DecodedSamples,
  type FrameParameters,
  type StreamHeader,
} from './codecs/index.js';
import { describeThrown, invalidDicom, undecodable, unsupportedTransferSyntax } from './errors.js';
import { encapsulatedFrameBytes, nativeFrameBytes, nativeSamplesPerFrame } from './frame-bytes.js';
import type { DicomInstance } from './instance.js';
import { pixelSourceOf } from './pixel-source.js';
import {
  expandYbr422,
  interleavePlanes,
  storedFromDecoded,
  storedFromNative,
  type SampleFormat,
  type StoredPixelArray,
} from './stored-values.js';
import { transferSyntaxInfo } from './transfer-syntax.js';

export type { StoredPixelArray } from './stored-values.js';

export interface StoredFrame {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  /** Stored values, row-major; colour interleaved (sample 0, 1, 2 of pixel 0, then pixel 1...). */
  readonly pixels: StoredPixelArray;
  /** Bits of each value that carry data (BitsStored, or the bitstream's precision when that is wider). */
  readonly bitsStored: number;
  readonly signed: boolean;
  /** Photometric interpretation of `pixels`: JPEG and JPEG 2000 colour arrive as RGB, YBR_FULL_422 as YBR_FULL. */
  readonly photometricInterpretation: string;
}

export async function decodeStoredFrame(instance: DicomInstance, frameIndex = 0): Promise<StoredFrame> {
  try {
    return await decodeStoredFrameOrThrow(instance, frameIndex);
  } catch (e) {
    // Whatever a damaged file makes a step throw reaches the caller as INVALID_DICOM, never as a raw error.
    if (isAppError(e)) throw e;
    throw undecodable(instance.source, frameIndex, describeThrown(e), e);
  }
}

async function decodeStoredFrameOrThrow(instance: DicomInstance, frameIndex: number): Promise<StoredFrame> {
  const source = pixelSourceOf(instance);
  if (!instance.hasPixelData)
    throw invalidDicom(instance.source, `no Pixel Data (SOP Class ${instance.sopClassUid ?? 'unknown'} is not an image)`);
  if (!source) {
    throw new AppError('INTERNAL_SERVER_ERROR', `${instance.source}: decoding needs the instance returned by parseDicom in this thread`);
  }
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= instance.numberOfFrames) {
    throw new AppError('BAD_USER_INPUT', `${instance.source}: frame ${frameIndex} does not exist (${instance.numberOfFrames} frame(s))`);
  }
  const ts = transferSyntaxInfo(instance.transferSyntaxUid);
  if (!ts) throw unsupportedTransferSyntax(instance.source, instance.transferSyntaxUid);

  const rows = instance.rows ?? 0;
  const columns = instance.columns ?? 0;
  const format: SampleFormat = {
    bitsAllocated: instance.bitsAllocated ?? 16,
    bitsStored: instance.bitsStored ?? instance.bitsAllocated ?? 16,
    highBit: instance.highBit ?? (instance.bitsStored ?? 16) - 1,
    signed: instance.pixelRepresentation === 1,
  };
  const photometric = instance.photometricInterpretation ?? (instance.samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB');
  const encapsulated = source.pixelData.encapsulatedPixelData === true;

  if (ts.encoding === 'native') {
    if (encapsulated) throw invalidDicom(instance.source, `encapsulated Pixel Data under the uncompressed transfer syntax ${ts.uid}`);
    const frame = nativeFrameBytes(instance, source, frameIndex);
    const stored = storedFromNative(frame.bytes, frame.bitOffset, nativeSamplesPerFrame(instance), ts.littleEndian, format);
    const colour = instance.samplesPerPixel === 3;
    const ybr422 = colour && photometric === 'YBR_FULL_422';
    const byPlane = colour && !ybr422 && instance.planarConfiguration === 1;
    return {
      rows,
      columns,
      samplesPerPixel: instance.samplesPerPixel,
      pixels: ybr422 ? expandYbr422(stored, rows, columns) : byPlane ? interleavePlanes(stored, rows * columns, 3) : stored,
      bitsStored: format.bitsStored,
      signed: format.signed,
      photometricInterpretation: ybr422 ? 'YBR_FULL' : photometric,
    };
  }

  if (!encapsulated) throw invalidDicom(instance.source, `Pixel Data is not encapsulated under the compressed transfer syntax ${ts.uid}`);
  const frame = encapsulatedFrameBytes(instance, source, frameIndex, ts.encoding);
  const params: FrameParameters = {
    rows,
    columns,
    bitsAllocated: format.bitsAllocated,
    bitsStored: format.bitsStored,
    samplesPerPixel: instance.samplesPerPixel,
    signed: format.signed,
    planarConfiguration: instance.planarConfiguration,
  };
  const header = ts.encoding === 'rle' ? undefined : streamHeader(ts.encoding, frame.bytes);
  if (ts.encoding !== 'rle') {
    checkStreamHeader(instance, frameIndex, ts.name, header, format.bitsAllocated);
    if (!endsWithEndMarker(frame.bytes)) {
      throw undecodable(instance.source, frameIndex, `the ${ts.name} stream is truncated (it does not end with the FFD9 end marker)`);
    }
  }
  const decoder = await loadFrameDecoder(ts.encoding, header);
  let decoded: DecodedSamples;
  try {
    decoded = await decoder(frame.bytes, params);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw undecodable(instance.source, frameIndex, `${ts.name} decoder failed: ${describeThrown(e)}`, e);
  }
  if (decoded.rows !== rows || decoded.columns !== columns || decoded.components !== instance.samplesPerPixel) {
    throw undecodable(
      instance.source,
      frameIndex,
      `decoded ${decoded.columns}x${decoded.rows}x${decoded.components}, header says ${columns}x${rows}x${instance.samplesPerPixel}`,
    );
  }
  const expectedSamples = rows * columns * instance.samplesPerPixel;
  if (decoded.samples.length !== expectedSamples) {
    throw undecodable(
      instance.source,
      frameIndex,
      `${ts.name} decoder returned ${decoded.samples.length} samples, ${columns}x${rows}x${instance.samplesPerPixel} needs ${expectedSamples}`,
    );
  }
  const pixels = storedFromDecoded(decoded, format);
  const bitsStored = Math.min(format.bitsAllocated, Math.max(format.bitsStored, decoded.bitsPerSample ?? 0));
  const codecEmitsRgb = decoded.convertedToRgb || (ts.encoding === 'jpeg-2000' && (photometric === 'YBR_RCT' || photometric === 'YBR_ICT'));
  return {
    rows,
    columns,
    samplesPerPixel: instance.samplesPerPixel,
    pixels,
    bitsStored,
    signed: format.signed,
    photometricInterpretation: codecEmitsRgb ? 'RGB' : photometric,
  };
}

/**
 * The bitstream's own frame header must agree with the DICOM header before a codec runs: a codec then never decodes
 * more than Rows x Columns, and a stream whose size fields were damaged fails here with both sizes named.
 */
function checkStreamHeader(
  instance: DicomInstance,
  frameIndex: number,
  syntax: string,
  header: StreamHeader | undefined,
  bitsAllocated: number,
): void {
  if (!header) throw undecodable(instance.source, frameIndex, `no ${syntax} frame header (SOF or SIZ) at the start of the frame`);
  const declared = `${header.columns}x${header.rows}x${header.components}`;
  const expected = `${instance.columns}x${instance.rows}x${instance.samplesPerPixel}`;
  if (declared !== expected) {
    throw undecodable(
      instance.source,
      frameIndex,
      `the ${syntax} stream declares ${declared} (columns x rows x samples), the header ${expected}`,
    );
  }
  if (header.bitsPerSample < 2 || header.bitsPerSample > bitsAllocated) {
    throw undecodable(
      instance.source,
      frameIndex,
      `the ${syntax} stream declares ${header.bitsPerSample}-bit samples, Bits Allocated is ${bitsAllocated}`,
    );
  }
}

/** Modality values of one frame: Float32, rescale applied, MONOCHROME1 inverted, colour as luminance. */
export async function decodeFrame(instance: DicomInstance, frameIndex = 0): Promise<ImageFrame> {
  return toModalityFrame(instance, await decodeStoredFrame(instance, frameIndex));
}

/**
 * Stored -> modality values. MONOCHROME1 is inverted within the rescaled range of representable stored values,
 * so that bright means dense/high signal as in MONOCHROME2 and the value range stays the same.
 * Colour (secondary captures that turn up in exports) becomes Rec. 601 luminance; YBR data uses its Y sample.
 */
export function toModalityFrame(instance: DicomInstance, stored: StoredFrame): ImageFrame {
  const { rows, columns, pixels: px } = stored;
  const n = rows * columns;
  const out = new Float32Array(n);
  if (stored.samplesPerPixel === 3) {
    if (stored.photometricInterpretation.startsWith('YBR')) {
      for (let i = 0; i < n; i++) out[i] = px[i * 3];
    } else {
      for (let i = 0; i < n; i++) out[i] = 0.299 * px[i * 3] + 0.587 * px[i * 3 + 1] + 0.114 * px[i * 3 + 2];
    }
    return { rows, columns, pixels: out };
  }
  let slope = instance.rescaleSlope;
  let intercept = instance.rescaleIntercept;
  if (stored.photometricInterpretation === 'MONOCHROME1') {
    const min = stored.signed ? -(2 ** (stored.bitsStored - 1)) : 0;
    const max = stored.signed ? 2 ** (stored.bitsStored - 1) - 1 : 2 ** stored.bitsStored - 1;
    // invert(v) = (slope*min + c) + (slope*max + c) - (slope*v + c)
    intercept = slope * (min + max) + intercept;
    slope = -slope;
  }
  if (slope === 1 && intercept === 0) {
    out.set(px);
  } else {
    for (let i = 0; i < n; i++) out[i] = px[i] * slope + intercept;
  }
  return { rows, columns, pixels: out };
}
