// Loads an Emscripten-built cornerstone codec (CommonJS factory, .wasm beside it) once per process.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type EmscriptenFactory<M> = (moduleArg?: object) => Promise<M>;

const ignore = (): void => undefined;

const loaded = new Map<string, Promise<unknown>>();

/** Instantiates the factory exported by `specifier` the first time it is asked for; later calls share it. */
export function loadWasmModule<M>(specifier: string): Promise<M> {
  let module = loaded.get(specifier);
  if (!module) {
    const factory = require(specifier) as EmscriptenFactory<M>;
    // OpenJPEG reports progress ("[INFO] ...") on stdout for every frame; failures surface as exceptions or
    // as frame info that the pixel pipeline checks against the header, so the console output is dropped.
    module = factory({ print: ignore, printErr: ignore });
    loaded.set(specifier, module);
  }
  return module as Promise<M>;
}
