// The `## inference` section of BENCHMARKS.md from one run's measurements.
import type { Distribution, PipelineBenchResult } from '../../src/inference/bench.js';
import type { ModelRole } from '../../src/inference/roles.js';

/** The fp32 FMA peak measured on these machines (docs: stack-notes.md, "Inference speed measured here"). */
export const CITED_PEAK_GFLOPS = 234;

export interface ModelTiming {
  readonly role: ModelRole;
  readonly description: string;
  /** Input shape of the timed runs, batch first. */
  readonly shape: readonly number[];
  readonly runs: number;
  readonly gflop: number;
  readonly ort: Distribution;
  readonly torch: Distribution;
  /** onnxruntime-node's MatMul GFLOP/s measured just before this model (the load drifts during a run). */
  readonly peakGflops: number;
}

export interface MatMulTiming {
  /** [n, n] x [n, n]. */
  readonly n: number;
  readonly gflop: number;
  readonly ms: Distribution;
}

export interface PeakTiming {
  /** Timed runs per MatMul measurement. */
  readonly runs: number;
  /** Size of onnxruntime's MatMul (measured before every model: ModelTiming.peakGflops). */
  readonly ortN: number;
  readonly torch: MatMulTiming;
}

export interface PipelineWork {
  readonly role: ModelRole;
  /** Samples a study needs when every keypoint and ROI is found (the model benchmark's batch). */
  readonly expectedPerStudy: number;
  /** Samples the timed pipeline runs really ran, per study. */
  readonly ranPerStudy: number;
}

export interface InferenceBenchResults {
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
  readonly threads: {
    readonly intraOp: number;
    readonly interOp: number;
    readonly torch: number;
    /** OMP_WAIT_POLICY the PyTorch process ran with; undefined = libgomp's default (spin, then sleep). */
    readonly ompWaitPolicy: string | undefined;
  };
  readonly warmupPerModel: number;
  readonly torchVersion: string;
  readonly exportMs: number | null;
  readonly loadSetMs: number;
  readonly totalMs: number;
  readonly cohort: { readonly studies: number; readonly size: number; readonly files: number };
  readonly peak: PeakTiming;
  readonly models: readonly ModelTiming[];
  readonly pipeline: PipelineBenchResult;
  /** Every slice of the pipeline's studies read, parsed and decoded in sequence, per study. */
  readonly sequentialLoad: { readonly ms: number; readonly slices: number };
  readonly work: readonly PipelineWork[];
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const gflops = (gflop: number, ms: number) => gflop / (ms / 1000);
const pct = (part: number, whole: number) => `${f0((100 * part) / whole)} %`;

/** The median of the MatMul measurements taken before each model: the run's peak. */
export function runPeakGflops(r: InferenceBenchResults): number {
  const sorted = r.models.map((m) => m.peakGflops).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function peakSection(r: InferenceBenchResults): string[] {
  const { ortN, torch, runs } = r.peak;
  const ort = r.models.map((m) => m.peakGflops);
  return [
    `### fp32 matrix product (medians of ${runs} runs)`,
    '',
    '| runtime | shape | ms | GFLOP/s |',
    '|---|---|---|---|',
    `| onnxruntime-node MatMul, ${r.threads.intraOp} threads, before each model: median (min-max) | ${ortN}² | | ${f0(runPeakGflops(r))} (${f0(Math.min(...ort))}-${f0(Math.max(...ort))}) |`,
    `| PyTorch torch.mm, ${r.threads.torch} threads | ${torch.n}² | ${f1(torch.ms.median)} | ${f1(gflops(torch.gflop, torch.ms.median))} |`,
    `| fp32 FMA peak of these machines, unloaded (stack-notes) | | | ${CITED_PEAK_GFLOPS} |`,
    '',
    "Debian's torch 1.13 is built with `BLAS_INFO=generic`: its matrix products (torch.mm, Linear, GRU) run in the " +
      'reference BLAS (libblas3), while its convolutions run in oneDNN.',
    '',
  ];
}

function modelSection(r: InferenceBenchResults, peak: number): string[] {
  const rows = r.models.map((m) => {
    const ort = gflops(m.gflop, m.ort.median);
    return `| ${m.description} | ${m.shape.join('x')} | ${m.runs} | ${f1(m.gflop)} | ${f0(m.ort.median)} (${f0(m.ort.p10)}-${f0(m.ort.p90)}) | ${f0(m.torch.median)} (${f0(m.torch.p10)}-${f0(m.torch.p90)}) | ${f2(m.ort.median / m.torch.median)} | ${f0(ort)} | ${pct(ort, m.peakGflops)} | ${pct(ort, CITED_PEAK_GFLOPS)} |`;
  });
  const sum = (pick: (m: ModelTiming) => number) => r.models.reduce((a, m) => a + pick(m), 0);
  const gflop = sum((m) => m.gflop);
  const ort = sum((m) => m.ort.median);
  const torch = sum((m) => m.torch.median);
  return [
    `### Forward passes, one study's batch per model (medians after ${r.warmupPerModel} warm-up; p10-p90 in brackets)`,
    '',
    `ORT: onnxruntime-node cpu, intraOp ${r.threads.intraOp}, interOp ${r.threads.interOp}, graphOptimizationLevel all. ` +
      `PyTorch ${r.torchVersion} eager, ${r.threads.torch} threads, eval + inference_mode, same weights (state hashes checked) ` +
      'and the ONNX outputs checked against PyTorch (trainer check files). GFLOP = 2 x multiply-adds of convolutions, ' +
      'linear layers and GRUs. The two runtimes alternate model by model so both see the same load. Both thread ' +
      `pools spin-wait as they do by default (onnxruntime's allow_spinning at its default here, RuntimeOptions.allowSpinning unset; ` +
      `OMP_WAIT_POLICY ${r.threads.ompWaitPolicy ?? 'unset'} for PyTorch): on an oversubscribed machine spinning costs ` +
      'PyTorch (an OpenMP barrier per operator) far more than onnxruntime, so the ratio here is lower than on a quiet one.',
    '',
    '| model | input | runs | GFLOP | ORT ms | PyTorch ms | ORT/PyTorch | ORT GFLOP/s | of MatMul just before | of 234 |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| **one study, all models** | | | **${f0(gflop)}** | **${f0(ort)}** | **${f0(torch)}** | **${f2(ort / torch)}** | **${f0(gflops(gflop, ort))}** | ${pct(gflops(gflop, ort), peak)} | ${pct(gflops(gflop, ort), CITED_PEAK_GFLOPS)} |`,
    '',
    `The total row compares with the median MatMul (${f0(peak)} GFLOP/s). ` +
      `fp32 floor for one study's ${f0(gflop)} GFLOP: ${f0((gflop / peak) * 1000)} ms at that peak, ` +
      `${f0((gflop / CITED_PEAK_GFLOPS) * 1000)} ms at ${CITED_PEAK_GFLOPS}.`,
    '',
  ];
}

function pipelineSection(r: InferenceBenchResults, modelOnlyMs: number): string[] {
  const p = r.pipeline;
  const stages = Object.entries(p.stagesMs).sort((a, b) => b[1] - a[1]);
  // Model runs take one serial lane: wall / their sum is how much the rest of the pipeline fails to hide behind them.
  const modelStagesMs = stages.filter(([k]) => k.startsWith('model:')).reduce((a, [, v]) => a + v, 0) / p.studies;
  const work = r.work.map((w) => `${w.role} ${f1(w.ranPerStudy)}/${w.expectedPerStudy}`).join(', ');
  return [
    `### Whole pipeline (files -> 25 predictions), ${p.studies} synthetic studies at ${r.cohort.size} px, ${p.runs} runs after 1 warm-up`,
    '',
    'benchmarkPipeline over StudyInputs read from the DICOM files (geometry parsed up front, as an import stores it; ' +
      'pixels read, parsed and decoded on demand by the service loader), default options (all studies in one batch, ' +
      'inline preprocessing), one fold of every role.',
    '',
    '| wall per run ms (p10-p90) | ms per study | studies/min | model stages ms per study | wall / model stages | ORT model-only ms per study, timed apart |',
    '|---|---|---|---|---|---|',
    `| ${f0(p.wallMs.median)} (${f0(p.wallMs.p10)}-${f0(p.wallMs.p90)}) | ${f0(p.msPerStudy)} | ${f2(p.studiesPerMinute)} | ${f0(modelStagesMs)} | ${f2(p.msPerStudy / modelStagesMs)} | ${f0(modelOnlyMs)} |`,
    '',
    'Busy time per stage, per study (medians; stages overlap: inputs are prepared while the previous model runs, so ' +
      'they sum to more than the wall time):',
    '',
    '| stage | ms per study | share of wall |',
    '|---|---|---|',
    ...stages.map(([k, v]) => `| ${k} | ${f0(v / p.studies)} | ${pct(v / p.studies, p.msPerStudy)} |`),
    '',
    `Model work done per study (samples run / samples a fully found study needs): ${work}.`,
    '',
    '`load` sums the latency of every slice load; loads run concurrently and queue behind model runs and inline ' +
      `resampling, so it counts waiting, not work: reading, parsing and decoding all ${f0(r.sequentialLoad.slices)} slices ` +
      `of a study one after another took ${f0(r.sequentialLoad.ms)} ms per study. Model runs go through one serial lane, ` +
      'so wall / model stages near 1 means reading, decoding, resampling and cropping hide behind model compute; the ' +
      'model stages are medians per stage, so with few runs their sum can exceed the wall time. The last column comes ' +
      'from the forward-pass table, timed minutes apart and one study per batch, under a different load.',
    '',
  ];
}

export function inferenceMarkdown(r: InferenceBenchResults): string {
  const peak = runPeakGflops(r);
  const modelOnlyMs = r.models.reduce((a, m) => a + m.ort.median, 0);
  const setup = [
    `Setup (not in the numbers above): ONNX export ${r.exportMs === null ? 'cached' : `${f0(r.exportMs / 1000)} s`}, ` +
      `loadModelSet with check-file verification ${f1(r.loadSetMs / 1000)} s, whole benchmark ${f0(r.totalMs / 1000)} s.`,
  ];
  return [
    `Full-size architectures (trainer config \`full\`), random weights, exported by the trainer's code (opset 17, dynamic batch). ` +
      `**Load average ${r.loadAverageStart.join(' / ')} at start, ${r.loadAverageEnd.join(' / ')} at end (1/5/15 min) on a shared ` +
      `2-core machine: every time here is an upper bound** (stack-notes has the same models measured on a quiet machine).`,
    '',
    ...peakSection(r),
    ...modelSection(r, peak),
    ...pipelineSection(r, modelOnlyMs),
    ...setup,
    '',
  ].join('\n');
}
