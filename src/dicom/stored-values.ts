// Turns a frame's raw samples (native bytes or codec output) into stored pixel values in a fresh typed array:
// byte order fixed, colour interleaved, the BitsStored field extracted at HighBit and sign-extended when Pixel
// Representation says two's complement. One pass per frame, written straight into the output array.

import type { DecodedSamples, SampleArray } from './codecs/types.js';

export type StoredPixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface SampleFormat {
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
}

/** The output container for a sample format: 1 and 8 bits in bytes, then 16 and 32. */
export function allocateStored(format: SampleFormat, length: number): StoredPixelArray {
  const { bitsAllocated, signed } = format;
  if (bitsAllocated <= 8) return signed && bitsAllocated === 8 ? new Int8Array(length) : new Uint8Array(length);
  if (bitsAllocated === 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

/**
 * Native (uncompressed) samples: `count` samples of `bitsAllocated` bits starting at `bitOffset` in `bytes`,
 * little or big endian. Values sit at HighBit: shift, mask and sign-extend.
 */
export function storedFromNative(
  bytes: Uint8Array,
  bitOffset: number,
  count: number,
  littleEndian: boolean,
  format: SampleFormat,
): StoredPixelArray {
  const out = allocateStored(format, count);
  const { bitsAllocated } = format;
  if (bitsAllocated === 1) {
    for (let i = 0; i < count; i++) {
      const bit = bitOffset + i;
      out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const width = bitsAllocated >> 3;
  if (littleEndian || width === 1) {
    // Native order on little-endian hosts: one memcpy, then the typed view reads the values.
    new Uint8Array(out.buffer, out.byteOffset, count * width).set(bytes.subarray(0, count * width));
  } else if (width === 2) {
    const target = new Uint16Array(out.buffer, out.byteOffset, count);
    for (let i = 0, j = 0; i < count; i++, j += 2) target[i] = (bytes[j] << 8) | bytes[j + 1];
  } else {
    const target = new Uint32Array(out.buffer, out.byteOffset, count);
    for (let i = 0, j = 0; i < count; i++, j += 4)
      target[i] = ((bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3]) >>> 0;
  }
  extractStoredBits(out, format, format.highBit + 1 - format.bitsStored);
  return out;
}

/**
 * Codec output: values already right-aligned. Copies into a fresh array of the instance's container type,
 * interleaving planar colour, then masks and sign-extends to BitsStored (or to the bitstream's own precision
 * when that is wider: some encoders declare fewer BitsStored than they coded).
 */
export function storedFromDecoded(decoded: DecodedSamples, format: SampleFormat): StoredPixelArray {
  const pixels = decoded.rows * decoded.columns;
  const count = pixels * decoded.components;
  const out = allocateStored(format, count);
  const src = decoded.samples;
  if (decoded.layout === 'planar' && decoded.components > 1) {
    interleaveInto(src, out, pixels, decoded.components);
  } else if (src.length === count && sameElementSize(src, out)) {
    // Same width: copy the bit patterns; signedness is settled by extractStoredBits.
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, out.byteLength));
  } else {
    for (let i = 0; i < count; i++) out[i] = src[i];
  }
  const bitsStored = Math.min(format.bitsAllocated, Math.max(format.bitsStored, decoded.bitsPerSample ?? 0));
  extractStoredBits(out, { ...format, bitsStored }, 0);
  return out;
}

const sameElementSize = (a: SampleArray, b: StoredPixelArray): boolean => a.BYTES_PER_ELEMENT === b.BYTES_PER_ELEMENT;

/** In place: value = (raw >> shift) & mask, then two's-complement sign extension when signed. */
function extractStoredBits(values: StoredPixelArray, format: SampleFormat, shift: number): void {
  const { bitsAllocated, bitsStored, signed } = format;
  if (bitsStored >= bitsAllocated && shift === 0) return; // the container already holds exactly the stored value
  const n = values.length;
  const range = 2 ** bitsStored;
  const signBit = range / 2;
  if (bitsAllocated === 32) {
    // Beyond 31 bits JavaScript's bitwise operators sign-wrap: use arithmetic (32-bit data is rare: RT dose).
    const divisor = 2 ** shift;
    for (let i = 0; i < n; i++) {
      const raw = values[i] < 0 ? values[i] + 2 ** 32 : values[i];
      const v = Math.floor(raw / divisor) % range;
      values[i] = signed && v >= signBit ? v - range : v;
    }
    return;
  }
  // `& containerMask` turns a signed container's negative reading back into its bit pattern.
  const containerMask = (1 << bitsAllocated) - 1;
  const mask = range - 1;
  for (let i = 0; i < n; i++) {
    const v = ((values[i] & containerMask) >> shift) & mask;
    values[i] = signed && v >= signBit ? v - range : v;
  }
}

/** Colour-by-plane (RRR...GGG...BBB...) -> colour-by-pixel (RGBRGB...). */
export function interleavePlanes(stored: StoredPixelArray, pixels: number, components: number): StoredPixelArray {
  const out = new (stored.constructor as new (n: number) => StoredPixelArray)(pixels * components);
  interleaveInto(stored, out, pixels, components);
  return out;
}

function interleaveInto(src: SampleArray, out: StoredPixelArray, pixels: number, components: number): void {
  for (let c = 0; c < components; c++) {
    const plane = c * pixels;
    for (let p = 0; p < pixels; p++) out[p * components + c] = src[plane + p];
  }
}

/** YBR_FULL_422 native data: Y0 Y1 Cb Cr per pixel pair -> Y Cb Cr per pixel (YBR_FULL), in place of a copy. */
export function expandYbr422(stored: StoredPixelArray, rows: number, columns: number): StoredPixelArray {
  const out = new (stored.constructor as new (n: number) => StoredPixelArray)(rows * columns * 3);
  for (let pair = 0, src = 0, dst = 0; pair < (rows * columns) / 2; pair++, src += 4, dst += 6) {
    const [y0, y1, cb, cr] = [stored[src], stored[src + 1], stored[src + 2], stored[src + 3]];
    out[dst] = y0;
    out[dst + 1] = cb;
    out[dst + 2] = cr;
    out[dst + 3] = y1;
    out[dst + 4] = cb;
    out[dst + 5] = cr;
  }
  return out;
}
