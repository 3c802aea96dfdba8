// A model set whose sessions count the samples they run, per role: proof of how much model work a pipeline run
// really did (a keypoint that misses every axial stack removes an axial run and the ROIs after it).
import type { LoadedModelSet } from '../../src/inference/model-set.js';
import type { ModelRole } from '../../src/inference/roles.js';
import type { ModelSession } from '../../src/inference/runtime/onnx-session.js';

export interface CountingModelSet {
  readonly set: LoadedModelSet;
  /** Samples run so far (sum of batch sizes), per role. */
  readonly samples: ReadonlyMap<ModelRole, number>;
}

export function countingModelSet(inner: LoadedModelSet): CountingModelSet {
  const samples = new Map<ModelRole, number>();
  const models = inner.models.map((m) => {
    const s = m.session;
    const role = m.manifest.role;
    const session: ModelSession = {
      path: s.path,
      inputs: s.inputs,
      outputs: s.outputs,
      executionProvider: s.executionProvider,
      run: (feeds) => {
        const batch = Object.values(feeds)[0]?.dims[0] ?? 0;
        samples.set(role, (samples.get(role) ?? 0) + batch);
        return s.run(feeds);
      },
      release: () => s.release(),
    };
    return { ...m, session };
  });
  return { set: { ...inner, models, release: () => inner.release() }, samples };
}
