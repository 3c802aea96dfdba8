// Loads an Emscripten-built cornerstone codec (CommonJS factory, .wasm beside it) once per process, and keeps what
// the codec prints: OpenJPEG reports why a codestream failed only as "[ERROR] ..." lines on its console, which the
// decoder runner turns into the error message instead of letting them reach stdout.

import { readFile } from 'node:fs/promises';
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

/** The part of the WebAssembly JS API used here (this project's TypeScript lib has no DOM/WebAssembly globals). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const compiled = new Map<string, Promise<object>>();

/**
 * A new instance of the codec with memory of its own (the compiled module is shared, so this costs about 10 ms, not
 * a compile). For codecs that read memory they never wrote: OpenJPEG, given a damaged code-block, decodes bytes left
 * in its heap by the previous image, so a shared instance returns pixels that depend on the previous file.
 */
export async function instantiateFreshWasmModule<M>(specifier: string, wasmSpecifier: string): Promise<WasmCodec<M>> {
  let module = compiled.get(wasmSpecifier);
  if (!module) {
    module = readFile(require.resolve(wasmSpecifier)).then((bytes) => wasmApi.compile(bytes));
    compiled.set(wasmSpecifier, module);
  }
  const wasm = await module;
  const factory = require(specifier) as EmscriptenFactory<M & EmscriptenHeap>;
  const printed: string[] = [];
  const keep = (line: string): void => {
    if (printed.length < MAX_PRINTED_LINES) printed.push(line);
  };
  const instance = await factory({
    print: keep,
    printErr: keep,
    instantiateWasm(imports: object, done: (instance: object, module: object) => void): object {
      const created = new wasmApi.Instance(wasm, imports);
      done(created, wasm);
      return created.exports;
    },
  });
  return { specifier, module: instance, printed };
}
