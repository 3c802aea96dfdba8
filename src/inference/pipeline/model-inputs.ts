// Builds a model's input tensor for every (study, sample) of a batch of studies, batch-major. A sample is made
// of slots (one view for a keypoint model, one ROI kind per slot for a classifier), each slices x rows x cols.
// Keypoint samples with an unusable view are left out; classifier slots that are unusable are zero-filled, as in
// training, and a sample is left out only when none of its slots is usable, unless its manifest says `emptySample:
// "zeros"` (imported seed sets: the seed runs every sample, all-zero where nothing is usable).
import type { ImageFrame } from '../../domain/image.js';
import { LEVELS } from '../../domain/vocabulary.js';
import type { ModelManifest } from '../manifest.js';
import type { Preprocessor } from '../preprocess/preprocessor.js';
import type { RenderChannel, RenderTask } from '../preprocess/render.js';
import { ROLE_SPECS, type Sample } from '../roles.js';
import { isUnavailable, type Unavailable } from '../types.js';
import type { ViewSpec } from '../view-presets.js';
import type { StudyState } from './study-state.js';
import { channelPlan, loadView, planView, type ViewPlan, type ViewTarget } from './views.js';

export interface RenderedSlot {
  readonly plan: ViewPlan;
  /** Channels that hold a slice: the window's first `filled` slices (the rest are zero). */
  readonly filled: number;
}

export interface PreparedRow {
  readonly state: StudyState;
  readonly sample: Sample;
  /** Per slot: how it was rendered, or undefined when it was zero-filled. */
  readonly slots: readonly (RenderedSlot | undefined)[];
  /** Why slots were zero-filled (labelled with the slot's ROI kind or series). */
  readonly zeroFilled: readonly Unavailable[];
}

export interface PreparedInputs {
  readonly rows: readonly PreparedRow[];
  readonly skipped: readonly { readonly state: StudyState; readonly sample: Sample; readonly reason: Unavailable }[];
  /** [rows.length, ...input shape without batch], float32. */
  readonly tensor: Float32Array;
}

interface Layout {
  readonly samples: readonly Sample[];
  readonly target: ViewTarget;
  /** Per slot: the view and a label for messages (the ROI kind). */
  readonly slots: (sample: Sample) => readonly { readonly label: string; readonly view: ViewSpec }[];
  readonly missing: 'skip' | 'zeros';
  /** A sample without any usable slot: left out, or run on zeros (the seed's behaviour, manifest `emptySample`). */
  readonly empty: 'skip' | 'zeros';
}

/** What the manifest says about samples and slots, for either kind of model. */
export function layoutOf(m: ModelManifest): Layout {
  const spec = m.spec;
  const role = ROLE_SPECS[m.role];
  if (spec.kind === 'keypoints') {
    return {
      samples: role.stage === 'keypoints' ? role.samples : [],
      target: { slices: spec.input.slices, rows: spec.input.rows, cols: spec.input.cols, roiMm: undefined },
      slots: () => [{ label: spec.view.series, view: spec.view }],
      missing: 'skip',
      empty: 'skip',
    };
  }
  return {
    samples: spec.variants.flatMap((_, variant) => LEVELS.map((level) => ({ level, side: 'NONE' as const, variant }))),
    target: { slices: spec.input.slices, rows: spec.input.rows, cols: spec.input.cols, roiMm: spec.roiMm },
    slots: (sample) => spec.variants[sample.variant ?? 0].slots.map((s) => ({ label: s.kind, view: s.view })),
    missing: spec.missingRoi,
    empty: spec.emptySample,
  };
}

interface Planned {
  readonly state: StudyState;
  readonly sample: Sample;
  readonly slots: readonly ({ plan: ViewPlan; frames: readonly ImageFrame[]; channels: readonly RenderChannel[] } | undefined)[];
  readonly zeroFilled: readonly Unavailable[];
}

async function planSlot(
  state: StudyState,
  view: ViewSpec,
  layout: Layout,
  sample: Sample,
): Promise<{ plan: ViewPlan; frames: readonly ImageFrame[]; channels: readonly RenderChannel[] } | Unavailable> {
  const plan = planView(state, view, layout.target, sample);
  if (isUnavailable(plan)) return plan;
  const frames = await loadView(state, plan);
  if (isUnavailable(frames)) return frames;
  const channels = channelPlan(plan, layout.target, frames);
  if (channels.length === 0 && frames.length > 0)
    return {
      code: 'ROI_OUT_OF_BOUNDS',
      message: `${view.series} ROI ${sample.level ?? ''} ${plan.side}: the box crosses the image edge`.replace(/\s+/g, ' '),
    };
  if (channels.length < frames.length)
    state.warnings.add(
      `${view.series} ROI ${sample.level ?? ''} ${plan.side}: the box crosses the edge of slice ${channels.length + 1} of ${frames.length}; that slice and the later ones are zero (as in the seed)`.replace(
        /\s+/g,
        ' ',
      ),
    );
  return { plan, frames, channels };
}

async function planSample(state: StudyState, sample: Sample, layout: Layout): Promise<Planned | Unavailable> {
  const specs = layout.slots(sample);
  const results = await Promise.all(specs.map((s) => planSlot(state, s.view, layout, sample)));
  // Classifier reasons name the ROI kind (a row may lose several); a keypoint model has one view to lose.
  const label = (i: number) => (layout.missing === 'zeros' ? `${specs[i].label}: ` : '');
  const failures = results.map((r, i) => (isUnavailable(r) ? { code: r.code, message: `${label(i)}${r.message}` } : undefined));
  const usable = results.filter((r) => !isUnavailable(r)).length;
  if ((usable === 0 && layout.empty === 'skip') || (layout.missing === 'skip' && usable < results.length)) {
    const all = failures.filter((f): f is Unavailable => f !== undefined);
    return { code: all[0].code, message: all.map((f) => f.message).join('; ') };
  }
  return {
    state,
    sample,
    slots: results.map((r) => (isUnavailable(r) ? undefined : r)),
    zeroFilled: failures.filter((f): f is Unavailable => f !== undefined),
  };
}

/** `cache`: rendered slots shared between the models of one run (keyed by what decides the pixels). */
export async function prepareInputs(
  manifest: ModelManifest,
  states: readonly StudyState[],
  preprocessor: Preprocessor,
  cache?: Map<string, Promise<Float32Array>>,
): Promise<PreparedInputs> {
  const layout = layoutOf(manifest);
  const jobs = states.flatMap((state) => layout.samples.map((sample) => ({ state, sample })));
  const planned = await Promise.all(jobs.map(({ state, sample }) => planSample(state, sample, layout)));
  const skipped: { state: StudyState; sample: Sample; reason: Unavailable }[] = [];
  const ok: Planned[] = [];
  planned.forEach((p, i) => (isUnavailable(p) ? skipped.push({ ...jobs[i], reason: p }) : ok.push(p)));

  const frameIndex = new Map<ImageFrame, number>();
  const frames: ImageFrame[] = [];
  const indexOf = (f: ImageFrame): number => {
    let i = frameIndex.get(f);
    if (i === undefined) {
      i = frames.length;
      frameIndex.set(f, i);
      frames.push(f);
    }
    return i;
  };
  const { slices, rows: h, cols: w } = layout.target;
  const slotSize = slices * h * w;
  const perSample = layout.slots(layout.samples[0] ?? { level: undefined, side: 'NONE' }).length * slotSize;
  const tasks: RenderTask[] = [];
  // Where each task is rendered: its own place in the model's tensor (a zeroed view).
  const targets: { row: number; slot: number }[] = [];
  const owned: { resolve(t: Float32Array): void; reject(e: unknown): void; key: string }[] = [];
  const slotTensors: { row: number; slot: number; tensor: Promise<Float32Array>; ownTask: boolean }[] = [];
  const rows: PreparedRow[] = ok.map((p, r) => ({
    state: p.state,
    sample: p.sample,
    zeroFilled: p.zeroFilled,
    slots: p.slots.map((slot, j) => {
      if (!slot) return undefined;
      const key = slotKey(p.state, slot.plan, slot.channels.length, layout.target);
      let tensor = cache?.get(key);
      if (!tensor) {
        // Channels past the window's slices (end of the series, or an ROI box past the image edge) stay zero.
        const channels: RenderChannel[] = Array.from({ length: slices }, (_, c) => {
          const ch = slot.channels[c];
          return ch
            ? { ...ch, frame: indexOf(slot.frames[ch.frame]) }
            : { frame: -1, map: { x: { offset: 0, scale: 1 }, y: { offset: 0, scale: 1 } } };
        });
        tasks.push({ channels, rows: h, cols: w, normalisation: 'zscore-stack' });
        targets.push({ row: r, slot: j });
        tensor = new Promise<Float32Array>((resolve, reject) => owned.push({ resolve, reject, key }));
        cache?.set(key, tensor);
        slotTensors.push({ row: r, slot: j, tensor, ownTask: true });
      } else {
        slotTensors.push({ row: r, slot: j, tensor, ownTask: false });
      }
      return { plan: slot.plan, filled: slot.channels.length };
    }),
  }));
  const tensor = new Float32Array(rows.length * perSample);
  const at = (row: number, slot: number) => row * perSample + slot * slotSize;
  try {
    const into = targets.map((t) => tensor.subarray(at(t.row, t.slot), at(t.row, t.slot) + slotSize));
    const rendered = await preprocessor.render({ frames, tasks }, into);
    owned.forEach((o, i) => o.resolve(rendered[i]));
  } catch (e) {
    owned.forEach((o) => (cache?.delete(o.key), o.reject(e)));
  }
  // Slots rendered for this model are in place already; those another model of the run rendered are copied in.
  for (const t of slotTensors) {
    const rendered = await t.tensor;
    if (!t.ownTask) tensor.set(rendered, at(t.row, t.slot));
  }
  return { rows, skipped, tensor };
}

/** Everything that decides a rendered slot: another model with the same ROI at the same size reuses it. */
function slotKey(state: StudyState, plan: ViewPlan, filled: number, target: ViewTarget): string {
  const centre = plan.centreNorm ? `${plan.centreNorm.x},${plan.centreNorm.y}` : 'full';
  return `${state.studyId}|${plan.series.seriesId}|${plan.window.indices.join(',')}|${filled}|${centre}|${plan.mirror}|${target.slices}x${target.rows}x${target.cols}|${target.roiMm}`;
}

/** Runs a prepared batch in chunks of at most maxBatch samples; returns the output, batch-major. */
export async function runInChunks(
  run: (feeds: Record<string, { data: Float32Array; dims: number[] }>) => Promise<Float32Array>,
  manifest: ModelManifest,
  prepared: Pick<PreparedInputs, 'tensor'> & { readonly rows: { readonly length: number } },
  maxBatch: number,
): Promise<Float32Array> {
  const { input, output } = manifest.spec;
  const n = prepared.rows.length;
  const inSize = input.shape.slice(1).reduce<number>((a, d) => a * (d as number), 1);
  const outSize = output.shape.slice(1).reduce<number>((a, d) => a * (d as number), 1);
  // One chunk: the model's own output is the answer (no copy). Several: each chunk's input is a view of the
  // prepared tensor (onnxruntime reads a typed array at its byte offset), and the outputs are concatenated.
  const out = n > maxBatch ? new Float32Array(n * outSize) : undefined;
  for (let start = 0; start < n; start += maxBatch) {
    const b = Math.min(maxBatch, n - start);
    const data = b === n ? prepared.tensor : prepared.tensor.subarray(start * inSize, (start + b) * inSize);
    const result = await run({ [input.name]: { data, dims: [b, ...(input.shape.slice(1) as number[])] } });
    if (result.length !== b * outSize)
      throw new Error(`${manifest.name}: output ${output.name} has ${result.length} values for batch ${b}, expected ${b * outSize}`);
    if (!out) return result;
    out.set(result, start * outSize);
  }
  return out ?? new Float32Array(0);
}
