// The decoder object shape shared by the cornerstone WASM codecs (CharLS, OpenJPEG, libjpeg-turbo), and the one way
// the codecs run it: a fresh decoder object per frame (no state survives a failed frame into the next file), the
// output copied out of WASM memory before the object is freed, and every failure turned into an Error with a
// readable message (Emscripten throws C++ exceptions as bare heap pointers).

import type { SampleArray } from './types.js';
import { discardWasmModule, type EmscriptenHeap, type WasmCodec } from './wasm-module.js';

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  /** Frees the embind object and the buffers it owns. */
  delete(): void;
}

/** An exception module can describe (CharLS exports getExceptionMessage). */
interface ExceptionDescriber {
  getExceptionMessage?(pointer: number): string | [string, string];
}

/**
 * Decodes `encoded` with a new decoder made by `create`, and returns the frame info and a copy of the output.
 * `readExtra` runs before the decoder is freed, for codec-specific queries (CharLS' interleave mode).
 */
export function runWasmDecoder<M, D extends WasmDecoder, E>(
  codec: WasmCodec<M>,
  create: (module: M) => D,
  encoded: Uint8Array,
  readExtra: (decoder: D) => E,
): { info: CodecFrameInfo; bytes: Uint8Array; extra: E } {
  codec.printed.length = 0;
  let decoder: D | undefined;
  try {
    decoder = create(codec.module);
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = { ...decoder.getFrameInfo() };
    if (!(info.width > 0 && info.height > 0 && info.componentCount > 0)) {
      throw new Error(`the codec produced no image${printedReason(codec)}`);
    }
    return { info, bytes: decoder.getDecodedBuffer().slice(), extra: readExtra(decoder) };
  } catch (e) {
    if (isWasmTrap(e)) discardWasmModule(codec.specifier);
    throw new Error(describeWasmFailure(codec, e), { cause: e });
  } finally {
    try {
      decoder?.delete();
    } catch {
      // A trapped module cannot free; it has been discarded above.
    }
  }
}

/** WebAssembly.RuntimeError (not in this project's TypeScript lib): an out-of-bounds access, `unreachable`, abort. */
const isWasmTrap = (e: unknown): e is Error => e instanceof Error && e.constructor.name === 'RuntimeError';

/** One readable line for whatever a WASM decode threw. */
export function describeWasmFailure(codec: WasmCodec<unknown>, e: unknown): string {
  if (typeof e === 'number') {
    const message = exceptionMessage(codec.module as ExceptionDescriber & EmscriptenHeap, e);
    return `${message ?? 'the codec raised an internal exception without a message'}${printedReason(codec)}`;
  }
  if (isWasmTrap(e)) return `the codec crashed (WebAssembly ${e.message})${printedReason(codec)}`;
  if (e instanceof Error) return e.message;
  return `${String(e)}${printedReason(codec)}`;
}

function exceptionMessage(module: ExceptionDescriber & EmscriptenHeap, pointer: number): string | undefined {
  if (module.getExceptionMessage) {
    try {
      const described = module.getExceptionMessage(pointer);
      const text = Array.isArray(described) ? described.filter(Boolean).join(': ') : described;
      if (text) return text;
    } catch {
      // Not a std::exception: fall through to reading the heap.
    }
  }
  // libjpeg-turbo's wrapper throws `const char*` (the pointer's first word is the string); a libc++
  // std::runtime_error keeps its message pointer after the vtable pointer.
  const words = module.HEAPU32;
  const at = pointer >>> 2;
  if (pointer <= 0 || pointer % 4 !== 0 || at + 1 >= words.length) return undefined;
  return readCString(module.HEAPU8, words[at]) ?? readCString(module.HEAPU8, words[at + 1]);
}

/** A NUL-terminated printable ASCII string of 3-300 characters at `address`, or undefined. */
function readCString(heap: Uint8Array, address: number): string | undefined {
  if (address <= 0 || address >= heap.length) return undefined;
  let text = '';
  for (let i = address; i < heap.length && i < address + 300; i++) {
    const c = heap[i];
    if (c === 0) break;
    if ((c < 0x20 || c > 0x7e) && c !== 0x0a && c !== 0x09) return undefined;
    text += String.fromCharCode(c);
  }
  const trimmed = text.replace(/^~+/, '').trim();
  return trimmed.length >= 3 ? trimmed : undefined;
}

/** The codec's own "[ERROR] ..." lines, as a suffix. */
function printedReason(codec: WasmCodec<unknown>): string {
  const errors = codec.printed.filter((l) => /error/i.test(l)).map((l) => l.replace(/^\[ERROR\]\s*/, '').trim());
  return errors.length ? ` (${[...new Set(errors)].slice(0, 3).join('; ')})` : '';
}

/** Reinterprets decoded bytes as samples of the codec's precision, without copying. */
export function typedView(bytes: Uint8Array, bitsPerSample: number, signed: boolean): SampleArray {
  if (bitsPerSample > 8) {
    const n = bytes.byteLength >> 1;
    return signed ? new Int16Array(bytes.buffer, bytes.byteOffset, n) : new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  }
  return signed
    ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
