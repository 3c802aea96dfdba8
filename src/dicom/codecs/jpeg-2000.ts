// JPEG 2000 (.90, .91) through OpenJPEG compiled to WASM (@cornerstonejs/codec-openjpeg).

import type { DecodedSamples, FrameDecoder } from './types.js';
import { loadWasmModule } from './wasm-module.js';
import { typedView, type WasmDecoder } from './wasm-decoder.js';

interface OpenJpegModule {
  J2KDecoder: new () => WasmDecoder;
}

let decoder: Promise<FrameDecoder> | undefined;

export function loadJpeg2000Decoder(): Promise<FrameDecoder> {
  decoder ??= loadWasmModule<OpenJpegModule>('@cornerstonejs/codec-openjpeg/decodewasmjs').then((codec) => {
    const instance = new codec.J2KDecoder();
    return (encoded): DecodedSamples => {
      instance.getEncodedBuffer(encoded.length).set(encoded);
      instance.decode();
      const info = instance.getFrameInfo();
      return {
        rows: info.height,
        columns: info.width,
        components: info.componentCount,
        // The codestream's own signedness; the pixel pipeline reconciles it with Pixel Representation.
        samples: typedView(instance.getDecodedBuffer(), info.bitsPerSample, info.isSigned ?? false),
        layout: 'interleaved',
        bitsPerSample: info.bitsPerSample,
        convertedToRgb: false,
      };
    };
  });
  return decoder;
}
