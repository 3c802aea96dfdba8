// DICOM RLE lossless (PS3.5 Annex G) through dicom-rle. Its output is the native little-endian, colour-by-plane
// or colour-by-pixel byte stream the standard defines, so the pixel pipeline reads it like uncompressed data.

import { createRequire } from 'node:module';
import type { RleDecoder as RleDecoderClass } from 'dicom-rle';
import type { DecodedSamples, FrameDecoder, SampleArray } from './types.js';

// dicom-rle is a webpack UMD bundle: Node's ESM loader cannot see its named exports, require can.
const require = createRequire(import.meta.url);

let decoder: Promise<FrameDecoder> | undefined;

export function loadRleDecoder(): Promise<FrameDecoder> {
  decoder ??= Promise.resolve().then(() => {
    const { RleDecoder } = require('dicom-rle') as { RleDecoder: typeof RleDecoderClass };
    const rle = new RleDecoder();
    return (encoded, params): DecodedSamples => {
      // dicom-rle reads the RLE header through `new DataView(encoded.buffer)`, ignoring byteOffset: hand it a
      // buffer of its own (frames are views into the file). `new Uint8Array(view)` copies; Buffer#slice would not.
      const own = encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength ? encoded : new Uint8Array(encoded);
      const bytes = rle.decode(own, {
        width: params.columns,
        height: params.rows,
        bitsAllocated: params.bitsAllocated,
        samplesPerPixel: params.samplesPerPixel,
        planarConfiguration: params.planarConfiguration,
      });
      return {
        rows: params.rows,
        columns: params.columns,
        components: params.samplesPerPixel,
        samples: littleEndianSamples(bytes, params.bitsAllocated),
        layout: params.samplesPerPixel > 1 && params.planarConfiguration === 1 ? 'planar' : 'interleaved',
        bitsPerSample: params.bitsAllocated,
        convertedToRgb: false,
      };
    };
  });
  return decoder;
}

/** Views the decoded little-endian bytes as samples (the decoder returns a fresh, aligned buffer). */
function littleEndianSamples(bytes: Uint8Array, bitsAllocated: number): SampleArray {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  if (bitsAllocated === 16) return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
  if (bitsAllocated === 32) return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
  return aligned;
}
