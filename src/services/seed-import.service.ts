// `models import-seed`: the 9th-place author's checkpoint folders -> ONNX + manifests (converted by the trainer's
// Python with spinegraph's own definitions of the seed's networks) -> one registered model set. Every folder is
// checked before anything is converted; a failed import leaves no files and no set behind.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import { runSpinetrainerModule, type TrainerEvent } from '../training/trainer-process.js';
import { MODEL_SET_FILE } from '../inference/model-set.js';
import { registerModelSet, type ModelSetRow } from './model-registry.service.js';

export interface SeedImportOptions {
  readonly name: string;
  readonly activate?: boolean;
  /** Debian's python3 with torch + onnx (TRAINER_PYTHON). */
  readonly python: string;
  /** Imported sets go to `<modelsDir>/imported/<name>`. */
  readonly modelsDir: string;
  readonly onEvent?: (event: TrainerEvent) => void;
  readonly onLog?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface SeedImportResult {
  readonly set: ModelSetRow;
  readonly created: boolean;
  readonly directory: string;
  readonly manifests: readonly string[];
}

export async function importSeedModels(db: Database, folders: readonly string[], options: SeedImportOptions): Promise<SeedImportResult> {
  if (folders.length === 0) throw badInput('import-seed needs at least one seed model folder');
  const missing = folders.filter((f) => !existsSync(f));
  if (missing.length > 0) throw badInput(`not found: ${missing.join(', ')}`, { folders: missing });
  if (!/^[\w.-]{1,100}$/.test(options.name))
    throw badInput(`--name ${JSON.stringify(options.name)}: use letters, digits, '.', '_' or '-' (at most 100)`);
  const root = join(options.modelsDir, 'imported');
  let dir = join(root, options.name);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${options.name}-${i}`);
  await mkdir(dir, { recursive: true });
  try {
    const { events } = await runSpinetrainerModule({
      python: options.python,
      module: 'spinetrainer.import_seed',
      args: ['--out', dir, ...folders.map((f) => resolve(f))],
      what: 'The seed import',
      failureCode: 'INTERNAL_SERVER_ERROR',
      signal: options.signal,
      onEvent: options.onEvent,
      onLog: options.onLog,
    });
    const done = events.find((e) => e.event === 'done');
    const manifests = Array.isArray(done?.manifests) ? done.manifests.filter((m): m is string => typeof m === 'string') : [];
    await writeFile(
      join(dir, MODEL_SET_FILE),
      `${JSON.stringify({ name: options.name, source: 'import-seed', seedModels: folders.map((f) => basename(resolve(f))) }, null, 2)}\n`,
    );
    // Registering loads every model; verifyChecks also runs each .onnx on its check input against PyTorch's output.
    const { set, created } = await registerModelSet(db, dir, { name: options.name, activate: options.activate, verifyChecks: true });
    return { set, created, directory: dir, manifests };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
