// A model set that keeps (a copy of) every tensor each model is given, in the order the pipeline runs them, and a
// replay of those runs back to back: the same forward passes without reading, decoding or resampling
// (bench/pipeline-ratio.ts's model-only time).
import type { LoadedModelSet } from '../../src/inference/model-set.js';
import type { FloatTensor, ModelSession } from '../../src/inference/runtime/onnx-session.js';

export interface RecordedRun {
  readonly session: ModelSession;
  readonly model: string;
  readonly feeds: Readonly<Record<string, FloatTensor>>;
}

export function recordingSet(set: LoadedModelSet, runs: RecordedRun[]): LoadedModelSet {
  return {
    ...set,
    models: set.models.map((m) => ({
      ...m,
      session: {
        ...m.session,
        run: (feeds: Readonly<Record<string, FloatTensor>>) => {
          // A copy: the pipeline may reuse its buffers once the run is over.
          const copy = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { data: t.data.slice(), dims: [...t.dims] }]));
          runs.push({ session: m.session, model: m.manifest.name, feeds: copy });
          return m.session.run(feeds);
        },
      },
    })),
  };
}

/** Wall milliseconds of every recorded run, one after another, on the real sessions. */
export async function replay(runs: readonly RecordedRun[]): Promise<number> {
  const t0 = performance.now();
  for (const r of runs) await r.session.run(r.feeds);
  return performance.now() - t0;
}
