// onnxruntime's optimised graphs saved once per model file and loaded afterwards (SessionOptions.optimizedModelFilePath):
// a session opened from a saved graph skips graph optimisation (BENCHMARKS.md `session-options` measures how much
// creation time that saves). The file name says everything that decides the saved graph: the model file (path, size,
// modification time), the optimisation level, the onnxruntime version and the processor (level 'all' writes layout
// transforms for this CPU's vector width, so a saved graph is only reused on the same kind of machine).
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';

export interface CachedGraph {
  /** Where the optimised graph lives (or will, once a session has written it). */
  readonly path: string;
  /** True when an earlier run already wrote it. */
  readonly exists: boolean;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );

/** The saved graph for `model` under `dir` at `level`; `runtimeVersion` is onnxruntime's. */
export async function cachedGraphFor(dir: string, model: string, level: string, runtimeVersion: string): Promise<CachedGraph> {
  const s = await stat(model);
  const key = createHash('sha256')
    .update(JSON.stringify([model, s.size, s.mtimeMs, level, runtimeVersion, cpus()[0]?.model ?? 'unknown cpu']))
    .digest('hex')
    .slice(0, 20);
  const path = join(dir, `${basename(model, '.onnx')}.${key}.${level}.onnx`);
  return { path, exists: await exists(path) };
}

/** A private file name in `dir` for onnxruntime to write into; `commit` moves it into place (readers never see half a file). */
export async function stagingFor(
  dir: string,
  finalPath: string,
): Promise<{ path: string; commit(): Promise<void>; discard(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  const path = `${finalPath}.${process.pid}.${Date.now()}.tmp`;
  return {
    path,
    commit: () => rename(path, finalPath),
    discard: () => rm(path, { force: true }),
  };
}

/** Drops a saved graph that no longer opens (written by another onnxruntime build, or damaged). */
export function forgetGraph(path: string): Promise<void> {
  return rm(path, { force: true });
}
