// JPEG-LS lossless and near-lossless (.80, .81) through CharLS compiled to WASM (@cornerstonejs/codec-charls).
// A new decoder object per frame, so that nothing of a failed frame is read back for the next one.

import type { DecodedSamples, FrameDecoder } from './types.js';
import { loadWasmModule } from './wasm-module.js';
import { runWasmDecoder, typedView, type WasmDecoder } from './wasm-decoder.js';

interface CharlsDecoder extends WasmDecoder {
  /** CharLS interleave mode: 0 none (plane by plane), 1 line, 2 sample. */
  getInterleaveMode(): number;
}
interface CharlsModule {
  JpegLSDecoder: new () => CharlsDecoder;
}

async function decodeJpegLs(encoded: Uint8Array, params: { readonly signed: boolean }): Promise<DecodedSamples> {
  const codec = await loadWasmModule<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs');
  const {
    info,
    bytes,
    extra: interleaveMode,
  } = runWasmDecoder(
    codec,
    (m) => new m.JpegLSDecoder(),
    encoded,
    (d) => d.getInterleaveMode(),
  );
  return {
    rows: info.height,
    columns: info.width,
    components: info.componentCount,
    samples: typedView(bytes, info.bitsPerSample, params.signed),
    layout: info.componentCount > 1 && interleaveMode === 0 ? 'planar' : 'interleaved',
    bitsPerSample: info.bitsPerSample,
    convertedToRgb: false,
  };
}

export function loadJpegLsDecoder(): Promise<FrameDecoder> {
  return Promise.resolve(decodeJpegLs);
}
