import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  DriverAdapterError,
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

// Prisma's own schema engine (the Rust one, compiled to wasm), driven offline against in-memory PGlite
// databases: the CLI cannot download its native engine here (see docs/stack-notes.md).

export type SchemaEngine = engineBindings.SchemaEngine;
export type MigrationList = engineBindings.MigrationList;

let engineLoaded: Promise<void> | undefined;

// @types/node declares the WebAssembly namespace's types but not the global object.
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

// The package is a wasm-bindgen "bundler" build whose entry imports the .wasm as an ES module, which Node 20
// cannot do: instantiate it by hand against its JS glue, once per process (the glue keeps module state).
function loadEngineWasm(): Promise<void> {
  engineLoaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const { instance } = await webAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': engineBindings });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return engineLoaded;
}

/** The engine's version: the prisma-engines commit it was built from. */
export async function schemaEngineVersion(): Promise<string> {
  await loadEngineWasm();
  return engineBindings.version();
}

/**
 * Runs `fn` with a schema engine whose main database is `db` (a fresh in-memory PGlite, opened only if the
 * engine asks for it, when omitted) and whose shadow databases are fresh in-memory PGlites. Everything it
 * opened is closed afterwards.
 */
export async function withSchemaEngine<T>(fn: (engine: SchemaEngine) => Promise<T>, db?: PGlite): Promise<T> {
  const opened: PGlite[] = [];
  const open = async (): Promise<PGlite> => {
    const created = await freshMemoryPglite();
    opened.push(created);
    return created;
  };
  try {
    return await withSchemaEngineOn(pgliteMigrationFactory(db === undefined ? open : () => Promise.resolve(db), open), fn);
  } finally {
    await Promise.all(opened.map((pglite) => pglite.close()));
  }
}

/** Runs `fn` with a schema engine on any migration-aware driver adapter (e.g. `new PrismaPg(...)`), then frees it. */
export async function withSchemaEngineOn<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngineWasm();
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: undefined },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

let emptyDataDir: Promise<Blob> | undefined;

// initdb inside PGlite costs seconds per instance; loading the data directory of one fresh instance costs
// about one. Each diff needs at least one empty shadow database, so start them all from the same dump.
async function freshMemoryPglite(): Promise<PGlite> {
  emptyDataDir ??= (async () => {
    const seed = await PGlite.create('memory://');
    try {
      return await seed.dumpDataDir('none');
    } finally {
      await seed.close();
    }
  })();
  return PGlite.create('memory://', { loadDataDir: await emptyDataDir });
}

function pgliteMigrationFactory(openMain: () => Promise<PGlite>, openShadow: () => Promise<PGlite>): SqlMigrationAwareDriverAdapterFactory {
  const adapterFor = async (pglite: PGlite) => withAwaitedScripts(await new PrismaPGlite(pglite).connect(), pglite);
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    connect: async () => adapterFor(await openMain()),
    connectToShadowDb: async () => adapterFor(await openShadow()),
  };
}

// pglite-prisma-adapter 0.7 does not await exec() in executeScript: a migration that fails on the shadow
// database would surface as an unhandled rejection while the engine carries on. Await it and report the
// server's error the way adapters do, so the engine can name the failing migration.
function withAwaitedScripts(adapter: SqlDriverAdapter, db: PGlite): SqlDriverAdapter {
  const fixed: SqlDriverAdapter = Object.create(adapter);
  fixed.executeScript = async (script: string) => {
    try {
      await db.exec(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  };
  return fixed;
}

function toDriverAdapterError(error: unknown): unknown {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return error;
  const field = (key: string): string | undefined => {
    const value = (error as unknown as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  };
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code,
    severity: field('severity') ?? 'ERROR',
    message: error.message,
    detail: field('detail'),
    column: field('column'),
    hint: field('hint'),
  });
}
