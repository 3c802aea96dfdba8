// 8-bit lossy JPEG (baseline, and 8-bit extended) through libjpeg-turbo compiled to WASM
// (@cornerstonejs/codec-libjpeg-turbo-8bit). Colour comes out as RGB. A new decoder object per frame, so that
// nothing of a failed frame is read back for the next one.

import type { DecodedSamples, FrameDecoder } from './types.js';
import { loadWasmModule } from './wasm-module.js';
import { runWasmDecoder, type WasmDecoder } from './wasm-decoder.js';

interface LibJpegTurboModule {
  JPEGDecoder: new () => WasmDecoder;
}

async function decodeJpeg8Bit(encoded: Uint8Array): Promise<DecodedSamples> {
  const codec = await loadWasmModule<LibJpegTurboModule>('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
  const { info, bytes } = runWasmDecoder(
    codec,
    (m) => new m.JPEGDecoder(),
    encoded,
    () => undefined,
  );
  return {
    rows: info.height,
    columns: info.width,
    components: info.componentCount,
    samples: bytes,
    layout: 'interleaved',
    bitsPerSample: 8,
    convertedToRgb: info.componentCount === 3,
  };
}

export function loadJpeg8BitDecoder(): Promise<FrameDecoder> {
  return Promise.resolve(decodeJpeg8Bit);
}
