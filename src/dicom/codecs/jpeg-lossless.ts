// JPEG lossless, process 14 (.57, any predictor) and its first-order-prediction subset (.70), through
// jpeg-lossless-decoder-js.

import { createRequire } from 'node:module';
import type { DecodedSamples, FrameDecoder } from './types.js';

const require = createRequire(import.meta.url);

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  frame: { precision: number };
  xDim: number;
  yDim: number;
  numComp: number;
}
type LosslessDecoderConstructor = new () => LosslessDecoder;

let decoder: Promise<FrameDecoder> | undefined;

export function loadJpegLosslessDecoder(): Promise<FrameDecoder> {
  decoder ??= Promise.resolve().then(() => {
    const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: LosslessDecoderConstructor };
    return (encoded, params): DecodedSamples => {
      // A fresh decoder per frame: the library keeps scan state on the instance.
      const instance = new Decoder();
      const bytesPerSample = params.bitsAllocated <= 8 ? 1 : 2;
      const out = instance.decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.byteLength, bytesPerSample);
      const samples =
        bytesPerSample === 2 && params.signed
          ? new Int16Array(out.buffer, out.byteOffset, out.length)
          : bytesPerSample === 1 && params.signed
            ? new Int8Array(out.buffer, out.byteOffset, out.length)
            : out;
      return {
        rows: instance.yDim,
        columns: instance.xDim,
        components: instance.numComp,
        samples,
        layout: 'interleaved',
        bitsPerSample: instance.frame.precision,
        convertedToRgb: false,
      };
    };
  });
  return decoder;
}
