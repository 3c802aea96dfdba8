// Calibration: the pipeline runs on real studies with each model replaced by its calibration twin (the same graph
// with every tensor to be quantized exposed as an output), so every model sees exactly the inputs inference gives
// it; each run widens the min-max range of every listed tensor. A few of the inputs are kept to measure the
// quantized model against the float one afterwards.
import type { LoadedModel, LoadedModelSet } from '../../inference/model-set.js';
import type { FloatTensor, ModelSession } from '../../inference/runtime/onnx-session.js';

/** Min and max of each observed tensor. */
export class RangeRecorder {
  private readonly ranges = new Map<string, [number, number]>();

  observe(name: string, data: Float32Array): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      if (data.length > 0) throw new RangeError(`calibration: tensor ${name} holds a value that is not finite`);
      return;
    }
    const r = this.ranges.get(name);
    if (!r) this.ranges.set(name, [lo, hi]);
    else {
      if (lo < r[0]) r[0] = lo;
      if (hi > r[1]) r[1] = hi;
    }
  }

  toJSON(): Record<string, [number, number]> {
    return Object.fromEntries(this.ranges);
  }

  has(name: string): boolean {
    return this.ranges.has(name);
  }
}

/** One model's calibration: its ranges, how many samples it saw, and a few inputs kept for the comparison. */
export interface ModelCalibration {
  readonly model: LoadedModel;
  readonly tensors: readonly string[];
  readonly recorder: RangeRecorder;
  samples: number;
  readonly kept: Record<string, FloatTensor>[];
}

/** Samples kept per model for the float-vs-int8 comparison. */
export const KEPT_SAMPLES = 8;

function sample(t: FloatTensor, i: number): FloatTensor {
  const per = t.data.length / t.dims[0];
  return { data: t.data.slice(i * per, (i + 1) * per), dims: [1, ...t.dims.slice(1)] };
}

/**
 * A session that runs the calibration twin one sample at a time (its extra outputs are every intermediate tensor
 * listed: a whole batch of them at once can need gigabytes), records their ranges, and answers with the outputs
 * the model itself declares.
 */
export function calibratingSession(original: ModelSession, twin: ModelSession, calibration: ModelCalibration): ModelSession {
  const declared = original.outputs.map((o) => o.name);
  return {
    path: original.path,
    inputs: original.inputs,
    outputs: original.outputs,
    executionProvider: twin.executionProvider,
    async run(feeds) {
      const entries = Object.entries(feeds);
      const batch = entries[0]?.[1].dims[0] ?? 0;
      const parts: Record<string, FloatTensor>[] = [];
      for (let i = 0; i < batch; i++) {
        const one = Object.fromEntries(entries.map(([name, t]) => [name, sample(t, i)]));
        const out = await twin.run(one);
        for (const t of calibration.tensors) {
          const value = out[t] ?? one[t];
          if (!value) throw new Error(`calibration: ${original.path} produced no tensor ${t}`);
          calibration.recorder.observe(t, value.data);
        }
        calibration.samples++;
        if (calibration.kept.length < KEPT_SAMPLES) calibration.kept.push(one);
        parts.push(Object.fromEntries(declared.map((n) => [n, out[n]])));
      }
      return Object.fromEntries(declared.map((n) => [n, concat(parts.map((p) => p[n]))]));
    },
    release: () => twin.release(),
  };
}

function concat(parts: readonly FloatTensor[]): FloatTensor {
  if (parts.length === 0) return { data: new Float32Array(0), dims: [0] };
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, dims: [parts.length, ...parts[0].dims.slice(1)] };
}

/** The set with every model's session replaced by its calibrating twin. */
export function calibratingSet(
  set: LoadedModelSet,
  calibrations: readonly { calibration: ModelCalibration; twin: ModelSession }[],
): LoadedModelSet {
  return {
    name: set.name,
    dir: set.dir,
    models: calibrations.map(({ calibration, twin }) => ({
      ...calibration.model,
      session: calibratingSession(calibration.model.session, twin, calibration),
    })),
    release: () => set.release(),
  };
}
