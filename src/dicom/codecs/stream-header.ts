// Reads what an encapsulated frame's own bitstream declares (JPEG / JPEG-LS start-of-frame, JPEG 2000 SIZ) before
// any codec runs: the pixel pipeline compares it with the DICOM header, so a codec is never asked to decode more
// than the header allows (a corrupt size field made CharLS churn for seconds, a bogus one allocates gigabytes), and
// 8-bit and 12-bit lossy JPEG go to the right decoder (DICOM's .51 "extended" syntax may carry either).

import type { PixelEncoding } from '../transfer-syntax.js';

export interface StreamHeader {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  readonly bitsPerSample: number;
}

/** JPEG start-of-frame markers (every process), and JPEG-LS's SOF55. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);

export function streamHeader(encoding: Exclude<PixelEncoding, 'native' | 'rle'>, bytes: Uint8Array): StreamHeader | undefined {
  return encoding === 'jpeg-2000' ? jpeg2000Header(bytes) : jpegFrameHeader(bytes);
}

/** The frame header of a JPEG-family stream (SOI, tables..., SOFn), or undefined when there is none before the scan. */
export function jpegFrameHeader(bytes: Uint8Array): StreamHeader | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (SOF_MARKERS.has(marker)) {
      if (at + 10 > bytes.length) return undefined;
      return {
        bitsPerSample: bytes[at + 4],
        rows: (bytes[at + 5] << 8) | bytes[at + 6],
        columns: (bytes[at + 7] << 8) | bytes[at + 8],
        components: bytes[at + 9],
      };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return undefined;
}

/** SIZ of a raw J2K codestream, or of the codestream box ('jp2c') of a JP2 file. */
export function jpeg2000Header(bytes: Uint8Array): StreamHeader | undefined {
  const start = isCodestreamStart(bytes, 0) ? 0 : jp2CodestreamOffset(bytes);
  if (start === undefined || !isCodestreamStart(bytes, start)) return undefined;
  const siz = start + 4; // after SOC (FF4F) and the SIZ marker (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, ...
  if (siz + 38 + 3 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const columns = view.getUint32(siz + 4) - view.getUint32(siz + 12);
  const rows = view.getUint32(siz + 8) - view.getUint32(siz + 16);
  const components = view.getUint16(siz + 36);
  const ssiz = bytes[siz + 38];
  return { rows, columns, components, bitsPerSample: (ssiz & 0x7f) + 1 };
}

function isCodestreamStart(b: Uint8Array, at: number): boolean {
  return b[at] === 0xff && b[at + 1] === 0x4f && b[at + 2] === 0xff && b[at + 3] === 0x51;
}

/** Walks the top-level boxes of a JP2 file to the contiguous codestream box. */
function jp2CodestreamOffset(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let boxes = 0; at + 8 <= bytes.length && boxes < 64; boxes++) {
    let length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) return undefined;
      length = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at;
    }
    if (type === 'jp2c') return at + header;
    if (length < header) return undefined;
    at += length;
  }
  return undefined;
}

/**
 * JPEG, JPEG-LS and JPEG 2000 streams all end with the marker FFD9 (EOI / EOC), before at most a few padding bytes
 * (fragments are padded to even length, with 00 or with the JPEG fill byte FF). A stream cut short makes decoders guess: libjpeg and OpenJPEG fill the rest
 * silently, CharLS spent 30 s on one 8 KB fragment (a frame cut at a fragment boundary).
 */
export function endsWithEndMarker(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && bytes.length - end < 16 && (bytes[end - 1] === 0 || bytes[end - 1] === 0xff)) end--;
  if (end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9) return true;
  // An odd-length stream padded to even length with one byte of any value: DCMTK's JPEG-LS encoder (Orthanc's
  // transcoder, dcmcjpls) leaves a non-zero pad byte after FFD9, and DCMTK and CharLS decode such fragments.
  const n = bytes.length;
  return n % 2 === 0 && n >= 3 && bytes[n - 3] === 0xff && bytes[n - 2] === 0xd9;
}
