// Chooses the codec for an encapsulated frame. Codecs load lazily, once per process, on first use.

import type { PixelEncoding } from '../transfer-syntax.js';
import { loadJpeg12BitDecoder } from './jpeg-12bit.js';
import { loadJpeg2000Decoder } from './jpeg-2000.js';
import { loadJpeg8BitDecoder } from './jpeg-baseline-8bit.js';
import { loadJpegLosslessDecoder } from './jpeg-lossless.js';
import { loadJpegLsDecoder } from './jpeg-ls.js';
import { loadRleDecoder } from './rle.js';
import type { StreamHeader } from './stream-header.js';
import type { FrameDecoder } from './types.js';

export type { DecodedSamples, FrameDecoder, FrameParameters, SampleArray } from './types.js';
export { endsWithEndMarker, streamHeader, type StreamHeader } from './stream-header.js';

const loaders: Record<Exclude<PixelEncoding, 'native' | 'jpeg'>, () => Promise<FrameDecoder>> = {
  'jpeg-lossless': loadJpegLosslessDecoder,
  'jpeg-ls': loadJpegLsDecoder,
  'jpeg-2000': loadJpeg2000Decoder,
  rle: loadRleDecoder,
};

/** `header`: the frame's own stream header, which routes lossy JPEG by its sample precision. */
export function loadFrameDecoder(encoding: Exclude<PixelEncoding, 'native'>, header: StreamHeader | undefined): Promise<FrameDecoder> {
  if (encoding === 'jpeg') return (header?.bitsPerSample ?? 8) > 8 ? loadJpeg12BitDecoder() : loadJpeg8BitDecoder();
  return loaders[encoding]();
}
