// `npm run bench -- pipeline-ratio`: the whole pipeline (files -> 25 predictions) against the forward time of the
// same models on the same tensors, in one run, at several studies per batch (issue 15, part 1).
//
// A recording run (the warm-up) keeps every tensor each model is given, in order. Then, alternating: the pipeline
// on the same studies (wall time, per-stage busy time), and a replay of the recorded model runs back to back
// (model-only: the same forward passes with no reading, decoding or resampling). The ratio wall / model-only is
// what the pipeline costs over its models; both halves see the same load because they alternate.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { distribution } from '../src/inference/bench.js';
import { loadModelSet, type LoadedModelSet } from '../src/inference/model-set.js';
import { runPipeline } from '../src/inference/pipeline/run.js';
import type { RuntimeOptions } from '../src/inference/runtime/onnx-session.js';
import type { StudyInput } from '../src/inference/stack.js';
import type { StudyResult } from '../src/inference/types.js';
import { ensureFullModelSet } from './inference/full-model-set.js';
import { keypointPriors } from './inference/keypoint-priors.js';
import { instantSet, recordingSet, replay, type RecordedRun } from './inference/recording-set.js';
import { rsnaStudyInputs } from './inference/rsna-study-input.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { ensureSynthCohort } from './support/synth-cohort.js';

const DEMO = fileURLToPath(new URL('../models/demo', import.meta.url));
const DEMO_COHORT = { studies: 8, seed: 3033, size: 256 };
/** The full-size set reads 512 px sources, as the seed's keypoint models do. */
const FULL_COHORT = { studies: 8, seed: 3033, size: 512 };
/** Studies run (the first of the cohort); fewer for a quick look. */
const USE = Number(process.env.BENCH_RATIO_STUDIES ?? DEMO_COHORT.studies);
const BATCHES = (process.env.BENCH_RATIO_BATCHES ?? '1,2,8').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RATIO_RUNS ?? 3);
const log = (m: string) => console.error(`[pipeline-ratio] ${m}`);
const load1 = () => loadavg()[0].toFixed(1);

/** Busy ms per stage of one pipeline run (batches counted once: their studies share one timings object). */
function stageBusy(results: readonly StudyResult[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of new Set(results.map((r) => r.timings)))
    for (const [k, v] of Object.entries(t.stagesMs)) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

interface BatchResult {
  readonly studiesPerBatch: number;
  readonly spinning: boolean;
  readonly modelRuns: number;
  readonly wallMs: number[];
  readonly modelOnlyMs: number[];
  /** The pipeline with every model answering at once from the recording: its own work alone. */
  readonly noModelMs: number[];
  readonly ratio: number;
  readonly stagesMs: Record<string, number>;
  readonly loads: number[];
}

async function measure(
  studies: readonly StudyInput[],
  set: LoadedModelSet,
  studiesPerBatch: number,
  spinning: boolean,
): Promise<BatchResult> {
  const calls: RecordedRun[] = [];
  await runPipeline(studies, recordingSet(set, calls), { studiesPerBatch });
  const wallMs: number[] = [];
  const modelOnlyMs: number[] = [];
  const noModelMs: number[] = [];
  const loads: number[] = [];
  const stages = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    loads.push(Number(load1()));
    const t0 = performance.now();
    const results = await runPipeline(studies, set, { studiesPerBatch });
    wallMs.push(performance.now() - t0);
    for (const [k, v] of stageBusy(results)) stages.set(k, [...(stages.get(k) ?? []), v]);
    modelOnlyMs.push(await replay(calls));
    const t1 = performance.now();
    await runPipeline(studies, instantSet(set, calls), { studiesPerBatch });
    noModelMs.push(performance.now() - t1);
    log(
      `batch ${studiesPerBatch}, spinning ${spinning}: pipeline ${wallMs.at(-1)?.toFixed(0)} ms, model-only ${modelOnlyMs.at(-1)?.toFixed(0)} ms, without models ${noModelMs.at(-1)?.toFixed(0)} ms (load ${load1()})`,
    );
  }
  // Each pipeline run against the replay right after it (same minute, same load), then the median of those ratios.
  const ratios = wallMs.map((w, i) => w / modelOnlyMs[i]);
  return {
    studiesPerBatch,
    spinning,
    modelRuns: calls.length,
    wallMs,
    modelOnlyMs,
    noModelMs,
    ratio: distribution(ratios).median,
    stagesMs: Object.fromEntries([...stages].map(([k, v]) => [k, distribution(v).median])),
    loads,
  };
}

const f0 = (v: number) => v.toFixed(0);

function ratioTable(rows: readonly BatchResult[], n: number): string[] {
  const lines = [
    '| studies per batch | intra-op spinning | model runs | pipeline wall ms per study | model-only ms per study | wall / model-only | pipeline without models ms per study | load (1 min) at each pipeline run |',
    '|---:|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const wall = distribution(r.wallMs).median / n;
    const model = distribution(r.modelOnlyMs).median / n;
    const alone = distribution(r.noModelMs).median / n;
    lines.push(
      `| ${r.studiesPerBatch} | ${r.spinning ? 'on (default)' : 'off'} | ${r.modelRuns} | ${f0(wall)} | ${f0(model)} | **${r.ratio.toFixed(2)}** | ${f0(alone)} | ${r.loads.join(', ')} |`,
    );
  }
  return lines;
}

function stageTable(r: BatchResult, n: number): string[] {
  const wall = distribution(r.wallMs).median;
  const lines = ['| stage | busy ms per study | share of wall |', '|---|---:|---:|'];
  for (const [k, v] of Object.entries(r.stagesMs).sort((a, b) => b[1] - a[1]))
    lines.push(`| ${k} | ${f0(v / n)} | ${Math.round((100 * v) / wall)} % |`);
  lines.push(`| **wall** | **${f0(wall / n)}** | 100 % |`);
  return lines;
}

/** Which models the ratio is measured with. */
interface RatioSetup {
  readonly cohort: { studies: number; seed: number; size: number };
  /** The model set's folder, given the cohort's folder (the full-size set's keypoint priors come from its labels). */
  readonly modelDir: (cohortRoot: string) => Promise<string>;
  readonly description: string;
  readonly spinning: readonly boolean[];
}

const DEMO_SETUP: RatioSetup = {
  cohort: DEMO_COHORT,
  modelDir: () => Promise.resolve(DEMO),
  description: 'Demo model set (models/demo: the trained demo-size models, one fold per role)',
  spinning: [true, false],
};

/** `npm run bench -- pipeline-ratio-full`: the full-size architectures (the 3.3 s of model time per study). */
export const FULL_SETUP: RatioSetup = {
  cohort: FULL_COHORT,
  modelDir: async (root) => (await ensureFullModelSet(await keypointPriors(root, FULL_COHORT.size, FULL_COHORT.size))).dir,
  description:
    'Full-size architectures (trainer config `full`: DeepLabV3+/ResNet34 at 512, ResNet18+GRU at 128; random weights, one fold per role; bench/inference/full-model-set.ts)',
  // Spinning off only: the server, worker and CLI default (INFERENCE_SPINNING), and half the run time.
  spinning: [false],
};

async function openSet(dir: string, spinning: boolean): Promise<LoadedModelSet> {
  const runtime: RuntimeOptions = { executionProvider: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1, allowSpinning: spinning };
  return loadModelSet(dir, runtime);
}

export function run(): Promise<BenchReport> {
  return runWith(DEMO_SETUP);
}

export async function runWith(setup: RatioSetup): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const COHORT = setup.cohort;
  log(`synthetic cohort ${JSON.stringify(COHORT)} (load ${load1()})`);
  const cohort = await ensureSynthCohort(COHORT);
  const studies = await rsnaStudyInputs(cohort.root, USE);
  const modelDir = await setup.modelDir(cohort.root);
  const rows: BatchResult[] = [];
  for (const spinning of setup.spinning) {
    const set = await openSet(modelDir, spinning);
    try {
      for (const b of BATCHES) rows.push(await measure(studies, set, b, spinning));
    } finally {
      await set.release();
    }
  }
  const end = loadavg().map((v) => v.toFixed(2));
  const n = studies.length;
  const best = rows.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const md = [
    `${setup.description}, ${n} synthetic studies (seed ${COHORT.seed}, ${COHORT.size} px) read from DICOM files on demand, every study through the pipeline at each batch size. onnxruntime-node cpu, 2 intra-op threads, 1 inter-op thread, graph optimisation all, inline preprocessing. ${RUNS} pipeline runs per row after a recording warm-up, each followed by a replay of the recorded model runs (model-only) and by the pipeline with every model answering at once from the recording (its own reading, decoding and resampling alone, one thread); medians, the ratio being the median of each run's own ratio.`,
    '',
    ...ratioTable(rows, n),
    '',
    `Busy time per stage, per study, at ${best.studiesPerBatch} studies per batch, spinning ${best.spinning ? 'on' : 'off'} (the lowest ratio; stages overlap, so they can sum to more than the wall time):`,
    '',
    ...stageTable(best, n),
    '',
    '`load` sums the latency of every slice load (they run concurrently and wait behind model runs and resampling): it counts waiting, not work. The `preprocess:` rows count waiting too (for slices, and for the JS thread while the other batch under way renders); the column "pipeline without models" above is the work itself.',
    '',
    `Load average at the end: ${end.join(' / ')}. On this shared 2-core machine both halves of each ratio wait for cores; they alternate, so they see the same load, but a ratio measured under load is not the quiet-machine ratio.`,
  ];
  return {
    title: 'Whole pipeline against its models, same run: wall / model-only at 1, 2 and 8 studies per batch',
    machine,
    date,
    markdown: md.join('\n'),
    raw: { cohort: COHORT, runs: RUNS, rows, loadAverageEnd: end },
  };
}
