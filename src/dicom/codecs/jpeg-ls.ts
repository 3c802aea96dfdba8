// JPEG-LS lossless and near-lossless (.80, .81) through CharLS compiled to WASM (@cornerstonejs/codec-charls).

import type { DecodedSamples, FrameDecoder } from './types.js';
import { loadWasmModule } from './wasm-module.js';
import { typedView, type CodecFrameInfo, type WasmDecoder } from './wasm-decoder.js';

interface CharlsDecoder extends WasmDecoder {
  /** CharLS interleave mode: 0 none (plane by plane), 1 line, 2 sample. */
  getInterleaveMode(): number;
}
interface CharlsModule {
  JpegLSDecoder: new () => CharlsDecoder;
  getExceptionMessage?(e: number): string;
}

let decoder: Promise<FrameDecoder> | undefined;

export function loadJpegLsDecoder(): Promise<FrameDecoder> {
  decoder ??= loadWasmModule<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs').then((codec) => {
    const instance = new codec.JpegLSDecoder();
    return (encoded, params): DecodedSamples => {
      instance.getEncodedBuffer(encoded.length).set(encoded);
      try {
        instance.decode();
      } catch (e) {
        throw new Error(typeof e === 'number' && codec.getExceptionMessage ? codec.getExceptionMessage(e) : String(e));
      }
      const info: CodecFrameInfo = instance.getFrameInfo();
      return {
        rows: info.height,
        columns: info.width,
        components: info.componentCount,
        samples: typedView(instance.getDecodedBuffer(), info.bitsPerSample, params.signed),
        layout: info.componentCount > 1 && instance.getInterleaveMode() === 0 ? 'planar' : 'interleaved',
        bitsPerSample: info.bitsPerSample,
        convertedToRgb: false,
      };
    };
  });
  return decoder;
}
