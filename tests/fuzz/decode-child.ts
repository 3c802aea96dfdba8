// Child process of the DICOM fuzzer: decodes each mutant it is sent twice, once after decoding the seed's original
// and once after decoding another file of the same codec, and reports what came back. A mutant whose two decodes
// differ depends on the previous decode (stale codec state). The parent watches the clock and the exit code.

import { createHash } from 'node:crypto';
import { decodeStoredFrame, parseDicom } from '../../src/dicom/index.js';
import { isAppError } from '../../src/domain/errors.js';
import { fixture } from './seeds.js';

export interface FuzzRequest {
  readonly id: number;
  readonly seed: string;
  readonly primer: string;
  readonly bytes: Uint8Array;
}

export type DecodeOutcome =
  | { readonly kind: 'decoded'; readonly hash: string }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'thrown'; readonly message: string };

export interface FuzzReply {
  readonly id: number;
  readonly afterSeed: DecodeOutcome;
  readonly afterPrimer: DecodeOutcome;
  readonly ms: number;
}

/** Frames decoded per file: the first two, so multi-frame offset handling is exercised too. */
const FRAMES = 2;

async function decode(bytes: Uint8Array, label: string): Promise<DecodeOutcome> {
  try {
    const instance = parseDicom(bytes, label);
    const hash = createHash('sha256');
    for (let f = 0; f < Math.min(FRAMES, instance.numberOfFrames); f++) {
      const frame = await decodeStoredFrame(instance, f);
      hash.update(`${frame.rows}x${frame.columns}x${frame.samplesPerPixel}:`);
      hash.update(new Uint8Array(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength));
    }
    return { kind: 'decoded', hash: hash.digest('hex') };
  } catch (e) {
    if (isAppError(e)) return { kind: 'refused', code: e.code, message: e.message };
    return { kind: 'thrown', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

const fixtures = new Map<string, Uint8Array>();
const cached = (name: string): Uint8Array => {
  let bytes = fixtures.get(name);
  if (!bytes) fixtures.set(name, (bytes = fixture(name)));
  return bytes;
};

process.on('message', (request: FuzzRequest) => {
  void (async () => {
    const started = performance.now();
    const bytes = new Uint8Array(request.bytes);
    await decode(cached(request.seed), 'seed.dcm');
    const afterSeed = await decode(bytes, 'mutant.dcm');
    await decode(cached(request.primer), 'primer.dcm');
    const afterPrimer = await decode(bytes, 'mutant.dcm');
    const reply: FuzzReply = { id: request.id, afterSeed, afterPrimer, ms: performance.now() - started };
    process.send!(reply);
  })();
});
process.send!({ ready: true });
