// 8-bit lossy JPEG (baseline, and 8-bit extended) through libjpeg-turbo compiled to WASM
// (@cornerstonejs/codec-libjpeg-turbo-8bit). Colour comes out as RGB.

import type { DecodedSamples, FrameDecoder } from './types.js';
import { loadWasmModule } from './wasm-module.js';
import { type WasmDecoder } from './wasm-decoder.js';

interface LibJpegTurboModule {
  JPEGDecoder: new () => WasmDecoder;
}

let decoder: Promise<FrameDecoder> | undefined;

export function loadJpeg8BitDecoder(): Promise<FrameDecoder> {
  decoder ??= loadWasmModule<LibJpegTurboModule>('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs').then((codec) => {
    const instance = new codec.JPEGDecoder();
    return (encoded): DecodedSamples => {
      instance.getEncodedBuffer(encoded.length).set(encoded);
      instance.decode();
      const info = instance.getFrameInfo();
      return {
        rows: info.height,
        columns: info.width,
        components: info.componentCount,
        samples: instance.getDecodedBuffer(),
        layout: 'interleaved',
        bitsPerSample: 8,
        convertedToRgb: info.componentCount === 3,
      };
    };
  });
  return decoder;
}
