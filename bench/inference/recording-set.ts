// A model set that keeps (a copy of) every tensor each model is given and returns, in the order the pipeline runs
// them; a replay of those runs back to back (the same forward passes without reading, decoding or resampling:
// bench/pipeline-ratio.ts's model-only time); and the opposite, a set whose sessions answer at once with the
// recorded outputs (the pipeline without its models: what reading, decoding and resampling cost on their own).
import type { LoadedModelSet } from '../../src/inference/model-set.js';
import type { FloatTensor, ModelSession } from '../../src/inference/runtime/onnx-session.js';

type Tensors = Readonly<Record<string, FloatTensor>>;

export interface RecordedRun {
  readonly session: ModelSession;
  readonly model: string;
  readonly feeds: Tensors;
  readonly outputs: Tensors;
}

const copyOf = (tensors: Tensors): Tensors =>
  Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { data: t.data.slice(), dims: [...t.dims] }]));

export function recordingSet(set: LoadedModelSet, runs: RecordedRun[]): LoadedModelSet {
  return {
    ...set,
    models: set.models.map((m) => ({
      ...m,
      session: {
        ...m.session,
        run: async (feeds: Tensors) => {
          // Copies: the pipeline may reuse its buffers once the run is over.
          const input = copyOf(feeds);
          const outputs = await m.session.run(feeds);
          runs.push({ session: m.session, model: m.manifest.name, feeds: input, outputs: copyOf(outputs) });
          return outputs;
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

/**
 * The set with every session replaced by its recorded outputs, in recorded order per model (one pipeline run per set made): the pipeline then does
 * all its own work (reading, decoding, resampling, decoding heatmaps, the ensemble) and no forward pass. Checks that
 * each run is given the tensor shape it was recorded with, so a pipeline that diverged from the recording fails.
 */
export function instantSet(set: LoadedModelSet, runs: readonly RecordedRun[]): LoadedModelSet {
  return {
    ...set,
    models: set.models.map((m) => {
      const queue = runs.filter((r) => r.model === m.manifest.name);
      let next = 0;
      return {
        ...m,
        session: {
          ...m.session,
          run: (feeds: Tensors) => {
            const r = queue[next++];
            if (!r) throw new Error(`${m.manifest.name}: more runs than recorded (${queue.length})`);
            for (const [k, t] of Object.entries(feeds))
              if (t.data.length !== r.feeds[k]?.data.length) throw new Error(`${m.manifest.name}: run ${next} is not the recorded one`);
            // Not copied: the pipeline only reads model outputs, and a copy would be work the real sessions do not add.
            return Promise.resolve(r.outputs);
          },
        },
      };
    }),
  };
}
