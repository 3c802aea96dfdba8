// The decoder object shape shared by the cornerstone WASM codecs (CharLS, OpenJPEG, libjpeg-turbo).

import type { SampleArray } from './types.js';

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
}

/** Reinterprets decoded bytes as samples of the codec's precision, without copying. */
export function typedView(bytes: Uint8Array, bitsPerSample: number, signed: boolean): SampleArray {
  if (bitsPerSample > 8) {
    const n = bytes.byteLength >> 1;
    return signed ? new Int16Array(bytes.buffer, bytes.byteOffset, n) : new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  }
  return signed
    ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
