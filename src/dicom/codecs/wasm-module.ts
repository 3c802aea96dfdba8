// Loads an Emscripten-built cornerstone codec (CommonJS factory, .wasm beside it) once per process, and keeps what
// the codec prints: OpenJPEG reports why a codestream failed only as "[ERROR] ..." lines on its console, which the
// decoder runner turns into the error message instead of letting them reach stdout.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type EmscriptenFactory<M> = (moduleArg?: object) => Promise<M>;

/** The WASM heap views every Emscripten module exposes. */
export interface EmscriptenHeap {
  readonly HEAPU8: Uint8Array;
  readonly HEAPU32: Uint32Array;
}

export interface WasmCodec<M> {
  readonly specifier: string;
  readonly module: M & EmscriptenHeap;
  /** Console lines printed since the runner last cleared it (bounded). */
  readonly printed: string[];
}

const MAX_PRINTED_LINES = 32;

const loaded = new Map<string, Promise<WasmCodec<unknown>>>();

/** Instantiates the factory exported by `specifier` the first time it is asked for; later calls share it. */
export function loadWasmModule<M>(specifier: string): Promise<WasmCodec<M>> {
  let codec = loaded.get(specifier);
  if (!codec) {
    const factory = require(specifier) as EmscriptenFactory<M & EmscriptenHeap>;
    const printed: string[] = [];
    const keep = (line: string): void => {
      if (printed.length < MAX_PRINTED_LINES) printed.push(line);
    };
    codec = factory({ print: keep, printErr: keep }).then((module) => ({ specifier, module, printed }));
    loaded.set(specifier, codec);
  }
  return codec as Promise<WasmCodec<M>>;
}

/**
 * Drops a module after a WebAssembly trap (out-of-bounds access, abort): its memory may be inconsistent, so the
 * next frame gets a freshly instantiated one.
 */
export function discardWasmModule(specifier: string): void {
  loaded.delete(specifier);
}
