// JPEG 2000 (.90, .91) through OpenJPEG compiled to WASM (@cornerstonejs/codec-openjpeg). A new instance, with memory
// of its own, per frame: OpenJPEG's wrapper returns quietly when a codestream fails to decode, leaving the previous
// frame's info and pixels in a reused decoder (issue 20: corrupt frames came back as the previous file's image), and
// given a damaged code-block OpenJPEG decodes bytes the previous image left in its heap (found by the fuzzer).

import type { DecodedSamples, FrameDecoder } from './types.js';
import { instantiateFreshWasmModule } from './wasm-module.js';
import { runWasmDecoder, typedView, type WasmDecoder } from './wasm-decoder.js';

interface OpenJpegModule {
  J2KDecoder: new () => WasmDecoder;
}

async function decodeJpeg2000(encoded: Uint8Array): Promise<DecodedSamples> {
  const codec = await instantiateFreshWasmModule<OpenJpegModule>(
    '@cornerstonejs/codec-openjpeg/decodewasmjs',
    '@cornerstonejs/codec-openjpeg/decodewasm',
  );
  const { info, bytes } = runWasmDecoder(
    codec,
    (m) => new m.J2KDecoder(),
    encoded,
    () => undefined,
  );
  return {
    rows: info.height,
    columns: info.width,
    components: info.componentCount,
    // The codestream's own signedness; the pixel pipeline reconciles it with Pixel Representation.
    samples: typedView(bytes, info.bitsPerSample, info.isSigned ?? false),
    layout: 'interleaved',
    bitsPerSample: info.bitsPerSample,
    convertedToRgb: false,
  };
}

export function loadJpeg2000Decoder(): Promise<FrameDecoder> {
  return Promise.resolve(decodeJpeg2000);
}
