// `npm run bench -- inference`: the 9th-place pipeline's full-size models on this CPU. Per model, onnxruntime-node and
// PyTorch (Debian's torch, same threads, same weights) time one study's batch, alternating so both see the same
// load; the fp32 peak is measured alongside; then the whole pipeline runs over synthetic DICOM studies with per-stage
// times. Settings: BENCH_INFERENCE_STUDIES (2 of the 3-study cohort), BENCH_INFERENCE_RUNS (timed runs per model;
// default: as many as fit ~6 s at the measured peak, 3 to 10), BENCH_INFERENCE_PIPELINE_RUNS (2). The "seed ensemble"
// row (bench/inference/seed-ensemble.ts, fp32 and int8) follows; `npm run bench -- seed-ensemble` runs only that row.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchmarkModels, benchmarkPipeline, distribution, type Distribution } from '../src/inference/bench.js';
import { loadModelSet, type LoadedModel } from '../src/inference/model-set.js';
import { layoutOf } from '../src/inference/pipeline/model-inputs.js';
import { MODEL_ROLES } from '../src/inference/roles.js';
import type { RuntimeOptions } from '../src/inference/runtime/onnx-session.js';
import type { StudyInput } from '../src/inference/stack.js';
import { countingModelSet } from './inference/counting-set.js';
import { ensureFullModelSet, type FullModelSet } from './inference/full-model-set.js';
import { keypointPriors } from './inference/keypoint-priors.js';
import {
  inferenceMarkdown,
  type InferenceBenchResults,
  type ModelTiming,
  type MatMulTiming,
  type PipelineWork,
} from './inference/report.js';
import { rsnaStudyInputs } from './inference/rsna-study-input.js';
import { seedEnsembleMarkdown, timeSeedEnsemble } from './inference/seed-ensemble.js';
import { TorchForward } from './inference/torch-forward.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { ensureSynthCohort } from './support/synth-cohort.js';

const COHORT_SEED = 2024;
const COHORT_STUDIES = 3;
const IMAGE_SIZE = 512;
const KEYPOINT_INPUT_SIZE = 512;
const THREADS = 2;
const WARMUP = 1;
/** MatMul runs per peak measurement; the peak is measured again before every model, the load drifts. */
const PEAK_RUNS = 3;
/** Debian's torch does matrix products in the reference BLAS (BLAS_INFO=generic): 2048^3 would take ~20 s. */
const TORCH_MATMUL_N = 512;
/** Timed milliseconds per model and runtime that the default run count aims at, from the model's FLOPs. */
const MODEL_BUDGET_MS = 6000;
const MIN_RUNS = 3;
const MAX_RUNS = 10;
const RUNTIME: RuntimeOptions = { executionProvider: 'cpu', intraOpNumThreads: THREADS, interOpNumThreads: 1 };

function setting(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

/** As many runs as fit the budget if the model ran at `peakGflops`, so the run count follows the machine's load. */
function runsFor(gflop: number, peakGflops: number): number {
  return (
    setting('BENCH_INFERENCE_RUNS') ?? Math.min(MAX_RUNS, Math.max(MIN_RUNS, Math.floor(MODEL_BUDGET_MS / ((gflop / peakGflops) * 1000))))
  );
}

const log = (message: string) => console.error(`[inference] ${message}`);
const loadAverage = () => loadavg().map((v) => Math.round(v * 100) / 100);

function describe(m: LoadedModel): string {
  const s = m.manifest.spec;
  if (s.kind === 'keypoints') return `DeepLabV3+/ResNet34 ${s.view.series} (${s.input.slices} ch)`;
  return `ResNet18+GRU ${m.manifest.role.replace('classifier-', '')} (${s.input.slots} ROI x ${s.input.slices} slices)`;
}

/** onnxruntime-node's fp32 GFLOP/s on a large MatMul, now. */
async function ortPeakGflops(models: FullModelSet): Promise<number> {
  const { n, flops, file } = models.info.peak;
  const [ort] = await benchmarkModels([{ name: 'peak', model: join(models.dir, file), inputs: { A: [n, n] }, flops }], {
    runs: PEAK_RUNS,
    warmup: WARMUP,
    runtime: RUNTIME,
  });
  return flops / 1e9 / (ort.ms.median / 1000);
}

async function torchMatMul(torch: TorchForward): Promise<MatMulTiming> {
  const pt = await torch.matmul(TORCH_MATMUL_N, PEAK_RUNS, WARMUP);
  return { n: TORCH_MATMUL_N, gflop: pt.flops / 1e9, ms: distribution(pt.ms) };
}

async function timeModel(m: LoadedModel, models: FullModelSet, torch: TorchForward): Promise<ModelTiming> {
  const role = m.manifest.role;
  const info = models.info.models[role];
  const batch = layoutOf(m.manifest).samples.length;
  const shape = [batch, ...info.sampleShape];
  const flops = info.flopsPerSample * batch;
  const peakGflops = await ortPeakGflops(models);
  const runs = runsFor(flops / 1e9, peakGflops);
  const [ort] = await benchmarkModels([{ name: role, model: m.onnxPath, inputs: { [m.manifest.spec.input.name]: shape }, flops }], {
    runs,
    warmup: WARMUP,
    runtime: RUNTIME,
  });
  const pt = await torch.forward(role, batch, runs, WARMUP);
  if (pt.stateSha256 !== info.stateSha256) throw new Error(`${role}: PyTorch built different weights from the exported ones`);
  const torchMs: Distribution = distribution(pt.ms);
  log(
    `${role} x${batch}: ORT ${ort.ms.median} ms, PyTorch ${torchMs.median} ms, ORT ${ort.gflopsPerSecond} GFLOP/s ` +
      `(MatMul just before: ${peakGflops.toFixed(0)}; ${runs} runs)`,
  );
  return { role, description: describe(m), shape, runs, gflop: flops / 1e9, ort: ort.ms, torch: torchMs, peakGflops };
}

/** Every slice of the studies read, parsed and decoded one after another: what loading costs without overlap. */
async function sequentialLoadMsPerStudy(studies: readonly StudyInput[]): Promise<{ ms: number; slices: number }> {
  let slices = 0;
  const t0 = performance.now();
  for (const study of studies)
    for (const stack of study.stacks)
      for (const slice of stack.slices) {
        await slice.load();
        slices++;
      }
  return { ms: (performance.now() - t0) / studies.length, slices: slices / studies.length };
}

export async function run(): Promise<BenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  const date = new Date().toISOString();
  const loadAverageStart = loadAverage();
  const studies = Math.min(COHORT_STUDIES, setting('BENCH_INFERENCE_STUDIES') ?? 2);
  const pipelineRuns = setting('BENCH_INFERENCE_PIPELINE_RUNS') ?? 2;

  log(`synthetic cohort: ${COHORT_STUDIES} studies at ${IMAGE_SIZE} px (cached under the temp folder)`);
  const cohort = await ensureSynthCohort({ studies: COHORT_STUDIES, seed: COHORT_SEED, size: IMAGE_SIZE });
  log('full-size model set (exported once, then cached)');
  const models = await ensureFullModelSet(await keypointPriors(cohort.root, IMAGE_SIZE, KEYPOINT_INPUT_SIZE));
  const t0 = performance.now();
  const loaded = await loadModelSet(models.dir, { ...RUNTIME, verifyChecks: true });
  const loadSetMs = performance.now() - t0;
  const counting = countingModelSet(loaded);
  const torch = await TorchForward.start(THREADS, models.priorsPath);
  try {
    const torchMm = await torchMatMul(torch);
    const ordered = [...loaded.models].sort((a, b) => MODEL_ROLES.indexOf(a.manifest.role) - MODEL_ROLES.indexOf(b.manifest.role));
    const timings: ModelTiming[] = [];
    for (const m of ordered) timings.push(await timeModel(m, models, torch));
    await torch.close();

    log(`pipeline: ${studies} studies x ${pipelineRuns} runs`);
    const inputs = await rsnaStudyInputs(cohort.root, studies);
    const pipeline = await benchmarkPipeline(inputs, counting.set, { runs: pipelineRuns });
    const sequentialLoad = await sequentialLoadMsPerStudy(inputs);
    const work: PipelineWork[] = ordered.map((m) => ({
      role: m.manifest.role,
      expectedPerStudy: layoutOf(m.manifest).samples.length,
      // benchmarkPipeline runs once untimed, then `runs` times, over the same studies.
      ranPerStudy: (counting.samples.get(m.manifest.role) ?? 0) / ((pipelineRuns + 1) * inputs.length),
    }));

    const seed = await timeSeedEnsemble(RUNTIME, setting('BENCH_INFERENCE_RUNS') ?? 2, log);
    const results: InferenceBenchResults = {
      loadAverageStart,
      loadAverageEnd: loadAverage(),
      threads: { intraOp: THREADS, interOp: 1, torch: torch.threads, ompWaitPolicy: process.env.OMP_WAIT_POLICY },
      warmupPerModel: WARMUP,
      torchVersion: torch.torchVersion,
      exportMs: models.exportMs,
      loadSetMs,
      totalMs: performance.now() - started,
      cohort: { studies: COHORT_STUDIES, size: IMAGE_SIZE, files: cohort.files },
      peak: { runs: PEAK_RUNS, ortN: models.info.peak.n, torch: torchMm },
      models: timings,
      pipeline,
      sequentialLoad,
      work,
    };
    return {
      title: 'Inference: full-size models (DeepLabV3+/ResNet34 at 512, ResNet18+GRU at 128), onnxruntime-node vs PyTorch, whole pipeline',
      machine,
      date,
      markdown: `${inferenceMarkdown(results)}\n${seedEnsembleMarkdown(seed)}`,
      raw: { ...results, seed, flopsPerSample: models.info.models, modelSetDir: models.dir },
    };
  } finally {
    await torch.close();
    await loaded.release();
  }
}
