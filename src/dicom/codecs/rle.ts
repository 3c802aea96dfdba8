// DICOM RLE lossless (PS3.5 Annex G). A 64-byte header (segment count, then 15 offsets), then one PackBits segment
// per byte plane: for each sample, its most significant byte first. Every segment must decode to exactly
// Rows x Columns bytes; a stream that runs out earlier is corrupt (or its header's Rows/Columns are wrong), never
// zero-filled up to the header's size. Bytes beyond Rows x Columns (an encoder's padding) are ignored.

import type { DecodedSamples, FrameDecoder, FrameParameters, SampleArray } from './types.js';

const HEADER_LENGTH = 64;
const MAX_SEGMENTS = 15;

export function decodeRle(encoded: Uint8Array, params: FrameParameters): DecodedSamples {
  const { rows, columns, samplesPerPixel, bitsAllocated } = params;
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new Error(`RLE cannot carry ${bitsAllocated}-bit samples`);
  }
  const bytesPerSample = bitsAllocated / 8;
  const expectedSegments = samplesPerPixel * bytesPerSample;
  if (encoded.length < HEADER_LENGTH) throw new Error(`RLE frame of ${encoded.length} bytes is shorter than its 64-byte header`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  if (segments > MAX_SEGMENTS) throw new Error(`RLE header lists ${segments} segments (at most ${MAX_SEGMENTS})`);
  if (segments !== expectedSegments) {
    throw new Error(
      `RLE header lists ${segments} segments, ${samplesPerPixel} sample(s) of ${bitsAllocated} bits need ${expectedSegments}`,
    );
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(encoded.length);
  for (let s = 0; s < segments; s++) {
    if (offsets[s] < HEADER_LENGTH || offsets[s] > offsets[s + 1] || (s + 1 < segments && offsets[s + 1] > encoded.length)) {
      throw new Error(`RLE segment ${s + 1} has an invalid offset ${offsets[s]} (frame of ${encoded.length} bytes)`);
    }
  }

  const pixels = rows * columns;
  const planar = samplesPerPixel > 1 && params.planarConfiguration === 1;
  const out = allocate(bitsAllocated, pixels * samplesPerPixel);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const produced = unpackBits(encoded, offsets[s], offsets[s + 1], plane);
    if (produced < pixels) {
      throw new Error(
        `RLE segment ${s + 1} of ${segments} decodes to ${produced} bytes; Rows x Columns (${rows}x${columns}) need ${pixels}`,
      );
    }
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample)); // most significant byte first
    const scale = 2 ** shift;
    for (let p = 0; p < pixels; p++) {
      const at = planar ? sample * pixels + p : p * samplesPerPixel + sample;
      out[at] += plane[p] * scale;
    }
  }
  return {
    rows,
    columns,
    components: samplesPerPixel,
    samples: out,
    layout: planar ? 'planar' : 'interleaved',
    bitsPerSample: bitsAllocated,
    convertedToRgb: false,
  };
}

/** PackBits from `start` to `end` into `target`; returns how many bytes it produced (at most target.length). */
function unpackBits(src: Uint8Array, start: number, end: number, target: Uint8Array): number {
  let at = start;
  let written = 0;
  const limit = target.length;
  while (at < end && written < limit) {
    const header = src[at++];
    if (header < 128) {
      const count = header + 1; // literal run
      const available = Math.min(count, end - at, limit - written);
      target.set(src.subarray(at, at + available), written);
      written += available;
      at += count;
    } else if (header > 128) {
      if (at >= end) break;
      const count = 257 - header; // replicate run
      const value = src[at++];
      const n = Math.min(count, limit - written);
      target.fill(value, written, written + n);
      written += n;
    }
    // 128 (-128): no operation.
  }
  return written;
}

function allocate(bitsAllocated: number, length: number): SampleArray {
  if (bitsAllocated === 8) return new Uint8Array(length);
  if (bitsAllocated === 16) return new Uint16Array(length);
  return new Uint32Array(length);
}

export function loadRleDecoder(): Promise<FrameDecoder> {
  return Promise.resolve(decodeRle);
}
