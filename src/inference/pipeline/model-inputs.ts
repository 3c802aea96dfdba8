// Builds a model's input tensors for every (study, sample) of a batch of studies: one tensor per input name,
// batch-major, with the samples whose inputs were unusable left out and reported.
import type { ImageFrame } from '../../domain/image.js';
import { LEVELS } from '../../domain/vocabulary.js';
import type { ImageInput, ModelManifest } from '../manifest.js';
import type { PixelMap } from '../preprocess/pixel-map.js';
import type { Preprocessor } from '../preprocess/preprocessor.js';
import type { RenderTask } from '../preprocess/render.js';
import type { Sample } from '../roles.js';
import { isUnavailable, type Unavailable } from '../types.js';
import type { StudyState } from './study-state.js';
import { channelMaps, loadView, planView, type ViewPlan } from './views.js';

export interface PreparedRow {
  readonly state: StudyState;
  readonly sample: Sample;
  /** Per image input (manifest order): the plan and the map of its centre slice. */
  readonly views: readonly { readonly plan: ViewPlan; readonly centreMap: PixelMap }[];
}

export interface PreparedInputs {
  readonly rows: readonly PreparedRow[];
  readonly skipped: readonly { readonly state: StudyState; readonly sample: Sample; readonly reason: Unavailable }[];
  /** Input name -> [rows.length, ...shape[1:]] float32. */
  readonly tensors: ReadonlyMap<string, Float32Array>;
}

const perSample = (shape: readonly (string | number)[]): number => shape.slice(1).reduce<number>((a, d) => a * (d as number), 1);

function oneHot(kind: 'level-onehot' | 'side-onehot', sample: Sample): number[] {
  if (kind === 'level-onehot') return LEVELS.map((l) => (l === sample.level ? 1 : 0));
  return [sample.side === 'LEFT' ? 1 : 0, sample.side === 'RIGHT' ? 1 : 0];
}

interface Planned {
  readonly state: StudyState;
  readonly sample: Sample;
  readonly plans: readonly ViewPlan[];
  readonly frames: readonly (readonly ImageFrame[])[];
}

async function planAndLoad(manifest: ModelManifest, state: StudyState, sample: Sample): Promise<Planned | Unavailable> {
  const images = manifest.inputs.filter((i): i is ImageInput => i.kind === 'image');
  const params = { roiMm: manifest.preprocessing.roiMm, axialMatchMaxMm: manifest.preprocessing.axialMatchMaxMm };
  const plans: ViewPlan[] = [];
  for (const input of images) {
    const plan = planView(state, input, sample, params);
    if (isUnavailable(plan)) return plan;
    plans.push(plan);
  }
  const frames: ImageFrame[][] = [];
  for (const plan of plans) {
    const f = await loadView(state, plan);
    if (isUnavailable(f)) return f;
    frames.push(f);
  }
  plans.forEach((p, i) => {
    if (p.overlap === 'partial')
      state.warnings.add(
        `${images[i].view.series} ROI ${sample.level ?? ''} ${p.side} reaches past the image edge; zero-filled there`.replace(/\s+/g, ' '),
      );
  });
  return { state, sample, plans, frames };
}

export async function prepareInputs(
  manifest: ModelManifest,
  states: readonly StudyState[],
  samples: readonly Sample[],
  preprocessor: Preprocessor,
): Promise<PreparedInputs> {
  const jobs = states.flatMap((state) => samples.map((sample) => ({ state, sample })));
  const planned = await Promise.all(jobs.map(({ state, sample }) => planAndLoad(manifest, state, sample)));
  const skipped: { state: StudyState; sample: Sample; reason: Unavailable }[] = [];
  const ok: Planned[] = [];
  planned.forEach((p, i) => (isUnavailable(p) ? skipped.push({ ...jobs[i], reason: p }) : ok.push(p)));

  const images = manifest.inputs.filter((i): i is ImageInput => i.kind === 'image');
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
  const tasks: RenderTask[] = [];
  const rows: PreparedRow[] = ok.map((p) => ({
    state: p.state,
    sample: p.sample,
    views: images.map((input, v) => {
      const { maps, centreMap, outside } = channelMaps(p.plans[v], input, p.frames[v], manifest.preprocessing.roiMm);
      const channels = Array.from({ length: input.slices }, (_, c) =>
        c < maps.length ? { frame: indexOf(p.frames[v][c]), map: maps[c] } : { frame: -1, map: maps[0] },
      );
      tasks.push({ channels, rows: input.rows, cols: input.cols, outside, normalisation: 'zscore-stack' });
      return { plan: p.plans[v], centreMap };
    }),
  }));
  const rendered = await preprocessor.render({ frames, tasks });

  const tensors = new Map<string, Float32Array>();
  for (const input of manifest.inputs) tensors.set(input.name, new Float32Array(rows.length * perSample(input.shape)));
  rows.forEach((row, r) => {
    manifest.inputs.forEach((input) => {
      const size = perSample(input.shape);
      const t = tensors.get(input.name) as Float32Array;
      if (input.kind === 'image') t.set(rendered[r * images.length + images.indexOf(input)], r * size);
      else t.set(oneHot(input.kind, row.sample), r * size);
    });
  });
  return { rows, skipped, tensors };
}

/** Runs a prepared batch through a session in chunks of at most maxBatch rows; returns the output, batch-major. */
export async function runInChunks(
  run: (feeds: Record<string, { data: Float32Array; dims: number[] }>) => Promise<Float32Array>,
  manifest: ModelManifest,
  prepared: PreparedInputs,
  maxBatch: number,
): Promise<Float32Array> {
  const n = prepared.rows.length;
  const outSize = perSample(manifest.output.shape);
  const out = new Float32Array(n * outSize);
  for (let start = 0; start < n; start += maxBatch) {
    const b = Math.min(maxBatch, n - start);
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const input of manifest.inputs) {
      const size = perSample(input.shape);
      const all = prepared.tensors.get(input.name) as Float32Array;
      feeds[input.name] = {
        data: b === n ? all : all.slice(start * size, (start + b) * size),
        dims: [b, ...(input.shape.slice(1) as number[])],
      };
    }
    const result = await run(feeds);
    if (result.length !== b * outSize)
      throw new Error(
        `${manifest.name}: output ${manifest.output.name} has ${result.length} values for batch ${b}, expected ${b * outSize}`,
      );
    out.set(result, start * outSize);
  }
  return out;
}
