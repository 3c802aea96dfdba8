// A model set: every manifest in a directory, its ONNX file checked (sha256) and opened, and the manifest checked
// against what the model really declares. Any disagreement stops loading with MODEL_MISMATCH.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError, badInput } from '../domain/errors.js';
import { parseManifest, type ModelManifest } from './manifest.js';
import { SessionCache, type ModelSession, type RuntimeOptions, type TensorInfo } from './runtime/onnx-session.js';
import { verifyCheckFile } from './check-file.js';
import { ROLE_SPECS } from './roles.js';

export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly manifestPath: string;
  readonly onnxPath: string;
  readonly session: ModelSession;
}

export interface LoadedModelSet {
  readonly name: string;
  readonly dir: string;
  readonly models: readonly LoadedModel[];
  release(): Promise<void>;
}

export interface LoadModelSetOptions extends RuntimeOptions {
  /** Default: `name` in the directory's model-set.json, else the directory name. */
  readonly name?: string;
  /** Share sessions across sets; by default the set owns its sessions and release() closes them. */
  readonly sessions?: SessionCache;
  /** Also run each model on its trainer check file's input and compare with PyTorch's output (one small run each). */
  readonly verifyChecks?: boolean;
}

/** Optional set metadata in the model directory: `{ "name": ... }`. */
export const MODEL_SET_FILE = 'model-set.json';
export const MANIFEST_SUFFIX = '.manifest.json';

export function mismatch(file: string, field: string, expected: unknown, actual: unknown): AppError {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return new AppError('MODEL_MISMATCH', `${file}: ${field} expected ${show(expected)}, got ${show(actual)}`, {
    details: { file, field, expected, actual },
  });
}

const isDynamic = (d: number | string): boolean => typeof d === 'string' || d < 0;

function checkTensors(
  file: string,
  kind: 'inputs' | 'outputs',
  declared: readonly { name: string; shape: readonly (number | string)[] }[],
  actual: readonly TensorInfo[],
): void {
  const actualNames = actual.map((t) => t.name);
  const declaredNames = declared.map((t) => t.name);
  const byName = new Map(actual.map((t) => [t.name, t]));
  declared.forEach((d, i) => {
    const t = byName.get(d.name);
    if (!t) throw mismatch(file, `${kind}[${i}].name`, d.name, actualNames);
    if (t.type !== 'float32') throw mismatch(file, `${kind}[${i}] (${d.name}) element type`, 'float32', t.type ?? 'non-tensor');
    if (t.shape.length === 0) return; // the model does not declare a shape: nothing to compare
    if (t.shape.length !== d.shape.length) throw mismatch(file, `${kind}[${i}] (${d.name}) rank`, d.shape.length, t.shape.length);
    if (!isDynamic(t.shape[0])) throw mismatch(file, `${kind}[${i}] (${d.name}) shape[0] (batch)`, 'a dynamic dimension', t.shape[0]);
    for (let k = 1; k < d.shape.length; k++) {
      const a = t.shape[k];
      if (!isDynamic(a) && a !== d.shape[k]) throw mismatch(file, `${kind}[${i}] (${d.name}) shape[${k}]`, d.shape[k], a);
    }
  });
  const extra = actualNames.filter((n) => !declaredNames.includes(n));
  if (kind === 'inputs' && extra.length > 0) throw mismatch(file, 'inputs', declaredNames, actualNames);
  // Extra outputs are harmless (the pipeline fetches only the declared one).
}

/** Throws MODEL_MISMATCH when the model's declared inputs/outputs disagree with the manifest. */
export function checkModelAgainstManifest(file: string, manifest: ModelManifest, session: Pick<ModelSession, 'inputs' | 'outputs'>): void {
  checkTensors(file, 'inputs', [manifest.spec.input], session.inputs);
  checkTensors(file, 'outputs', [manifest.spec.output], session.outputs);
}

/** Keypoint models of one role are fold ensembles over one heatmap space: they must agree on inputs and outputs. */
function checkKeypointFolds(models: readonly LoadedModel[]): void {
  const first = new Map<string, LoadedModel>();
  for (const m of models) {
    if (ROLE_SPECS[m.manifest.role].stage !== 'keypoints') continue;
    const ref = first.get(m.manifest.role);
    if (!ref) {
      first.set(m.manifest.role, m);
      continue;
    }
    const layout = (x: LoadedModel) =>
      JSON.stringify({
        ...x.manifest.spec,
        input: { ...x.manifest.spec.input, name: '' },
        output: { ...x.manifest.spec.output, name: '' },
      });
    const a = layout(ref);
    const b = layout(m);
    if (a !== b)
      throw mismatch(
        basename(m.manifestPath),
        'inputs/outputs',
        `the same layout as ${basename(ref.manifestPath)} (same role)`,
        'a different layout',
      );
  }
}

export async function readManifestFile(path: string): Promise<ModelManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw badInput(`${basename(path)}: not readable JSON (${e instanceof Error ? e.message : String(e)})`, { file: path });
  }
  const result = parseManifest(
    json,
    basename(path)
      .replace(MANIFEST_SUFFIX, '')
      .replace(/\.json$/, ''),
  );
  if (!result.ok)
    throw badInput(`${basename(path)}: invalid model manifest: ${result.issues.join('; ')}`, { file: path, issues: result.issues });
  return result.manifest;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export async function loadModelSet(dir: string, options: LoadModelSetOptions = {}): Promise<LoadedModelSet> {
  const entries = (await readdir(dir)).filter((f) => f.endsWith(MANIFEST_SUFFIX) || f === MODEL_SET_FILE).sort();
  const ownsSessions = !options.sessions;
  const sessions = options.sessions ?? new SessionCache(options);
  let setName = options.name;
  const models: LoadedModel[] = [];
  try {
    for (const file of entries) {
      const path = join(dir, file);
      if (file === MODEL_SET_FILE) {
        const meta = JSON.parse(await readFile(path, 'utf8')) as { name?: unknown };
        if (setName === undefined && typeof meta.name === 'string') setName = meta.name;
        continue;
      }
      const manifest = await readManifestFile(path);
      const onnxPath = join(dir, manifest.onnxFile);
      const digest = await sha256File(onnxPath).catch((e: unknown) => {
        throw mismatch(file, 'onnx', `a readable model file at ${onnxPath}`, e instanceof Error ? e.message : String(e));
      });
      if (digest !== manifest.sha256) throw mismatch(file, 'sha256', manifest.sha256, digest);
      const session = await sessions.get(onnxPath);
      checkModelAgainstManifest(file, manifest, session);
      if (options.verifyChecks && manifest.checkFile) await verifyCheckFile(file, session, join(dir, manifest.checkFile));
      models.push({ manifest, manifestPath: path, onnxPath, session });
    }
    if (models.length === 0) throw badInput(`${dir}: no model manifests found`, { dir });
    checkKeypointFolds(models);
  } catch (e) {
    if (ownsSessions) await sessions.releaseAll();
    throw e;
  }
  return {
    name: setName ?? basename(dir),
    dir,
    models,
    release: () => (ownsSessions ? sessions.releaseAll() : Promise.resolve()),
  };
}
