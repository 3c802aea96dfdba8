// `npm run bench -- quantize`: the int8 model sets that `spinegraph models quantize` writes, against their fp32 sets,
// on this CPU. The processor's int8 instructions (from /proc/cpuinfo); the demo set quantized on 20 imported synthetic
// studies and scored with the competition metric on a held-out synthetic cohort next to the fp32 set, with the
// pipeline's wall time for both; forward time per model, int8 and fp32 alternating run by run, of one study's batch;
// then the full-size random-weight architectures (bench/inference) quantized on 2 studies: forward time per model and
// per study, and how far their outputs move on a third study (`npm run bench -- quantize-full`, bench/quantize-full.ts).
// Settings: BENCH_QUANTIZE_RUNS (timed pairs per model, default 5).
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { distribution, type Distribution } from '../src/inference/bench.js';
import { fmix32Input } from '../src/inference/check-file.js';
import { loadModelSet, type LoadedModelSet } from '../src/inference/model-set.js';
import { layoutOf } from '../src/inference/pipeline/model-inputs.js';
import { runPipeline } from '../src/inference/pipeline/run.js';
import { MODEL_ROLES } from '../src/inference/roles.js';
import { openModelSession, type FloatTensor, type RuntimeOptions } from '../src/inference/runtime/onnx-session.js';
import type { StudyInput } from '../src/inference/stack.js';
import { evaluate } from '../src/services/evaluation.service.js';
import { importStudies } from '../src/services/import/import-studies.js';
import { writeStudyResult } from '../src/services/inference/result-writer.js';
import { loadStudyInputs } from '../src/services/inference/study-input.js';
import type { StudyResult } from '../src/inference/types.js';
import { openModelSet, registerModelSet } from '../src/services/model-registry.service.js';
import { ensureProject } from '../src/services/projects.service.js';
import { DEFAULT_KEEP_FLOAT, quantizeRegisteredSet } from '../src/services/quantize.service.js';
import { quantizeModelSet } from '../src/training/quantize/quantize-model-set.js';
import { ensureFullModelSet, PYTHON } from './inference/full-model-set.js';
import { keypointPriors } from './inference/keypoint-priors.js';
import { rsnaStudyInputs } from './inference/rsna-study-input.js';
import { withBenchDatabase } from './support/bench-database.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { ensureSynthCohort } from './support/synth-cohort.js';

const THREADS = 2;
const RUNTIME: RuntimeOptions = { executionProvider: 'cpu', intraOpNumThreads: THREADS, interOpNumThreads: 1 };
const DEMO = new URL('../models/demo', import.meta.url).pathname;
const CALIBRATION = { studies: 20, seed: 3031, size: 256 };
const HELD_OUT = { studies: 24, seed: 3032, size: 256 };
const FULL_COHORT = { studies: 3, seed: 2024, size: 512 };
const ISA_FLAGS = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_tile', 'amx_int8', 'amx_bf16'] as const;

const log = (message: string) => console.error(`[quantize] ${message}`);
const load1 = () => Math.round(loadavg()[0] * 100) / 100;
const runsSetting = () => Math.max(2, Number(process.env.BENCH_QUANTIZE_RUNS) || 5);

export interface ForwardPair {
  readonly model: string;
  readonly batch: number;
  readonly fp32: Distribution;
  readonly int8: Distribution;
}

export interface OutputDrift {
  readonly model: string;
  readonly samples: number;
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  readonly floatRange: number;
}

async function isaFlags(): Promise<Record<string, boolean>> {
  const text = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/));
  return Object.fromEntries(ISA_FLAGS.map((f) => [f, flags.has(f)]));
}

/** Each model of `fp32` beside its namesake in `int8`: one study's batch, warm-up, then timed runs alternating. */
export async function forwardPairs(fp32: LoadedModelSet, int8: LoadedModelSet, runs: number): Promise<ForwardPair[]> {
  const out: ForwardPair[] = [];
  for (const f of fp32.models) {
    const q = int8.models.find((m) => m.manifest.name === f.manifest.name);
    if (!q) throw new Error(`the int8 set has no ${f.manifest.name}`);
    const batch = layoutOf(f.manifest).samples.length;
    const dims = [batch, ...f.manifest.spec.input.shape.slice(1).map(Number)];
    const feeds = {
      [f.manifest.spec.input.name]: {
        data: fmix32Input(
          dims.reduce((a, d) => a * d, 1),
          1,
        ),
        dims,
      },
    };
    const a = await openModelSession(f.onnxPath, RUNTIME);
    const b = await openModelSession(q.onnxPath, RUNTIME);
    try {
      await a.run(feeds);
      await b.run(feeds);
      const ta: number[] = [];
      const tb: number[] = [];
      for (let i = 0; i < runs; i++) {
        for (const [s, t] of [
          [a, ta],
          [b, tb],
        ] as const) {
          const t0 = performance.now();
          await s.run(feeds);
          t.push(performance.now() - t0);
        }
      }
      out.push({ model: f.manifest.name, batch, fp32: distribution(ta), int8: distribution(tb) });
      log(`${f.manifest.name}: fp32 ${distribution(ta).median} ms, int8 ${distribution(tb).median} ms (load ${load1()})`);
    } finally {
      await a.release();
      await b.release();
    }
  }
  return out.sort(
    (x, y) =>
      MODEL_ROLES.indexOf(x.model.replace(/-fold\d+$/, '') as never) - MODEL_ROLES.indexOf(y.model.replace(/-fold\d+$/, '') as never),
  );
}

/** The inputs the fp32 pipeline gives each model on `studies`, then both models on them. */
async function outputDrift(fp32: LoadedModelSet, int8: LoadedModelSet, studies: readonly StudyInput[]): Promise<OutputDrift[]> {
  const feeds = new Map<string, Record<string, FloatTensor>[]>();
  const capturing: LoadedModelSet = {
    ...fp32,
    models: fp32.models.map((m) => ({
      ...m,
      session: {
        ...m.session,
        run: (f: Readonly<Record<string, FloatTensor>>) => {
          feeds.set(m.manifest.name, [...(feeds.get(m.manifest.name) ?? []), { ...f }]);
          return m.session.run(f);
        },
      },
    })),
  };
  await runPipeline(studies, capturing, {});
  const out: OutputDrift[] = [];
  for (const f of fp32.models) {
    const q = int8.models.find((m) => m.manifest.name === f.manifest.name);
    if (!q) continue;
    const name = f.manifest.spec.output.name;
    let max = 0;
    let sum = 0;
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let samples = 0;
    for (const input of feeds.get(f.manifest.name) ?? []) {
      const a = (await f.session.run(input))[name];
      const b = (await q.session.run(input))[name];
      samples += a.dims[0];
      for (let i = 0; i < a.data.length; i++) {
        const d = Math.abs(a.data[i] - b.data[i]);
        if (d > max) max = d;
        sum += d;
        if (a.data[i] < lo) lo = a.data[i];
        if (a.data[i] > hi) hi = a.data[i];
      }
      n += a.data.length;
    }
    out.push({ model: f.manifest.name, samples, maxAbsDiff: max, meanAbsDiff: n ? sum / n : 0, floatRange: n ? hi - lo : 0 });
  }
  return out;
}

interface DemoResults {
  readonly calibrationStudies: number;
  readonly heldOutStudies: number;
  readonly quantizeMs: number;
  readonly metric: {
    fp32: number | null;
    int8: number | null;
    fp32Parts: Record<string, number | null>;
    int8Parts: Record<string, number | null>;
  };
  readonly pipelineMsPerStudy: { fp32: number[]; int8: number[] };
  readonly forward: ForwardPair[];
  readonly drift: OutputDrift[];
}

async function demoPart(runs: number): Promise<DemoResults> {
  return withBenchDatabase('quantize', async ({ db }) => {
    const calibration = await ensureSynthCohort(CALIBRATION);
    const heldOut = await ensureSynthCohort(HELD_OUT);
    const calibrationProject = await ensureProject(db, 'calibration');
    const heldOutProject = await ensureProject(db, 'held-out');
    await importStudies(db, { root: calibration.root, projectId: calibrationProject.id, secret: 'bench-quantize' });
    await importStudies(db, { root: heldOut.root, projectId: heldOutProject.id, secret: 'bench-quantize' });
    const { set: fp32Row } = await registerModelSet(db, DEMO, { name: 'demo' });
    const config = {
      dataDir: join(tmpdir(), 'spinegraph-bench', 'quantize-data'),
      modelsDir: join(tmpdir(), 'spinegraph-bench', `quantize-models-${process.pid}`),
      trainerPython: PYTHON,
      inference: { provider: 'cpu' as const, threads: THREADS },
    };
    log(`quantizing the demo set on ${CALIBRATION.studies} studies (load ${load1()})`);
    const t0 = performance.now();
    const q = await quantizeRegisteredSet(
      { db, config },
      { set: 'demo', name: 'demo-int8', calibrationStudies: CALIBRATION.studies, projectId: calibrationProject.id },
    );
    const quantizeMs = performance.now() - t0;
    const heldOutIds = (await db.prisma.study.findMany({ where: { projectId: heldOutProject.id }, select: { id: true } })).map((s) => s.id);
    const pipelineMsPerStudy = { fp32: [] as number[], int8: [] as number[] };
    // Alternating whole runs (fp32, int8, fp32, int8): each writes its set's predictions, the metric reads them.
    for (let round = 0; round < 2; round++) {
      for (const [key, row] of [
        ['fp32', fp32Row],
        ['int8', q.set],
      ] as const) {
        const loaded = await openModelSet(db, row, config.inference);
        try {
          // Timed without the database: the results are written after the run (writes racing a loaded CPU can
          // outlast Prisma's 5 s transaction limit, see the report).
          const inputs = await loadStudyInputs(db, heldOutIds);
          const results: StudyResult[] = [];
          const t1 = performance.now();
          await runPipeline(inputs, loaded, {}, (p) => results.push(...p.results));
          const ms = (performance.now() - t1) / heldOutIds.length;
          pipelineMsPerStudy[key].push(ms);
          for (const r of results) await writeStudyResult(db, r, row.id, null);
          log(`pipeline ${key}: ${ms.toFixed(0)} ms per study (load ${load1()})`);
        } finally {
          await loaded.release();
        }
      }
    }
    const scope = { kind: 'projects' as const, projectIds: [heldOutProject.id] };
    const e32 = await evaluate(db, { scope, modelSetId: fp32Row.id });
    const e8 = await evaluate(db, { scope, modelSetId: q.set.id });
    const parts = (e: typeof e32) => ({
      spinal: e.spinal,
      foraminal: e.foraminal,
      subarticular: e.subarticular,
      anySevereSpinal: e.anySevereSpinal,
    });
    const fp32 = await loadModelSet(DEMO, RUNTIME);
    const int8 = await loadModelSet(q.directory, RUNTIME);
    try {
      const forward = await forwardPairs(fp32, int8, runs);
      const drift = await outputDrift(fp32, int8, (await rsnaStudyInputs(heldOut.root, 3)).slice(0, 3));
      return {
        calibrationStudies: q.calibrationStudies,
        heldOutStudies: heldOutIds.length,
        quantizeMs,
        metric: { fp32: e32.score, int8: e8.score, fp32Parts: parts(e32), int8Parts: parts(e8) },
        pipelineMsPerStudy,
        forward,
        drift,
      };
    } finally {
      await fp32.release();
      await int8.release();
    }
  });
}

interface FullResults {
  readonly calibrationStudies: number;
  readonly quantizeMs: number;
  readonly forward: ForwardPair[];
  readonly drift: OutputDrift[];
}

async function fullPart(runs: number): Promise<FullResults> {
  const cohort = await ensureSynthCohort(FULL_COHORT);
  const models = await ensureFullModelSet(await keypointPriors(cohort.root, FULL_COHORT.size, FULL_COHORT.size));
  const studies = await rsnaStudyInputs(cohort.root, FULL_COHORT.studies);
  const outDir = join(tmpdir(), 'spinegraph-bench', `full-int8-${process.pid}`);
  log(`quantizing the full-size set on 2 studies (load ${load1()})`);
  const t0 = performance.now();
  await quantizeModelSet(models.dir, studies.slice(0, 2), {
    python: PYTHON,
    name: 'full-random-int8',
    outDir,
    workDir: `${outDir}.work`,
    runtime: RUNTIME,
    keepFloat: DEFAULT_KEEP_FLOAT,
  });
  const quantizeMs = performance.now() - t0;
  const fp32 = await loadModelSet(models.dir, RUNTIME);
  const int8 = await loadModelSet(outDir, RUNTIME);
  try {
    const forward = await forwardPairs(fp32, int8, runs);
    const drift = await outputDrift(fp32, int8, studies.slice(2, 3));
    return { calibrationStudies: 2, quantizeMs, forward, drift };
  } finally {
    await fp32.release();
    await int8.release();
  }
}

const f1 = (v: number) => v.toFixed(1);
const f3 = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));

function forwardTable(rows: readonly ForwardPair[]): string[] {
  const lines = ['| model | batch (one study) | fp32 ms (p10-p90) | int8 ms (p10-p90) | fp32 / int8 |', '|---|---:|---:|---:|---:|'];
  let a = 0;
  let b = 0;
  for (const r of rows) {
    a += r.fp32.median;
    b += r.int8.median;
    lines.push(
      `| ${r.model} | ${r.batch} | ${f1(r.fp32.median)} (${f1(r.fp32.p10)}-${f1(r.fp32.p90)}) | ${f1(r.int8.median)} (${f1(r.int8.p10)}-${f1(r.int8.p90)}) | ${(r.fp32.median / r.int8.median).toFixed(2)}x |`,
    );
  }
  lines.push(`| **one study, all models** | | **${f1(a)}** | **${f1(b)}** | **${(a / b).toFixed(2)}x** |`);
  return lines;
}

function driftTable(rows: readonly OutputDrift[]): string[] {
  return [
    '| model | samples | max abs diff | mean abs diff | fp32 output range | max / range |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.samples} | ${r.maxAbsDiff.toFixed(4)} | ${r.meanAbsDiff.toFixed(5)} | ${r.floatRange.toFixed(3)} | ${((100 * r.maxAbsDiff) / (r.floatRange || 1)).toFixed(1)} % |`,
    ),
  ];
}

function header(isa: Record<string, boolean>): string[] {
  return [
    `int8 instructions (/proc/cpuinfo): ${ISA_FLAGS.map((f) => `${f} ${isa[f] ? 'yes' : 'no'}`).join(', ')}. onnxruntime-node ${THREADS} intra-op threads, graph optimisation all; int8 sets written by \`spinegraph models quantize\` (static QDQ: int8 per-channel weights, uint8 activations, min-max calibration; keypoint decoders float). Every time is an upper bound on a shared machine; ratios come from alternating runs.`,
  ];
}

const loadNowList = () => loadavg().map((v) => Math.round(v * 100) / 100);

export async function run(): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const isa = await isaFlags();
  const demo = await demoPart(runsSetting());
  const end = loadNowList();
  const median = (v: number[]) => distribution(v).median;
  const md = [
    ...header(isa),
    '',
    `### Demo set: competition metric on a held-out synthetic cohort`,
    '',
    `Calibrated on ${demo.calibrationStudies} imported synthetic studies (seed ${CALIBRATION.seed}, ${CALIBRATION.size} px) in ${f1(demo.quantizeMs / 1000)} s; scored on ${demo.heldOutStudies} other studies (seed ${HELD_OUT.seed}) with the evaluation service's metric (lower is better).`,
    '',
    '| set | metric | spinal | foraminal | subarticular | any severe spinal | pipeline ms per study (2 runs, alternating) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| fp32 (models/demo) | ${f3(demo.metric.fp32)} | ${f3(demo.metric.fp32Parts.spinal)} | ${f3(demo.metric.fp32Parts.foraminal)} | ${f3(demo.metric.fp32Parts.subarticular)} | ${f3(demo.metric.fp32Parts.anySevereSpinal)} | ${demo.pipelineMsPerStudy.fp32.map((v) => v.toFixed(0)).join(', ')} |`,
    `| int8 | ${f3(demo.metric.int8)} | ${f3(demo.metric.int8Parts.spinal)} | ${f3(demo.metric.int8Parts.foraminal)} | ${f3(demo.metric.int8Parts.subarticular)} | ${f3(demo.metric.int8Parts.anySevereSpinal)} | ${demo.pipelineMsPerStudy.int8.map((v) => v.toFixed(0)).join(', ')} |`,
    '',
    `int8 - fp32 metric: ${demo.metric.fp32 !== null && demo.metric.int8 !== null ? (demo.metric.int8 - demo.metric.fp32).toFixed(4) : 'n/a'} (goal: within 0.005). Pipeline wall per study, median: fp32 ${median(demo.pipelineMsPerStudy.fp32).toFixed(0)} ms, int8 ${median(demo.pipelineMsPerStudy.int8).toFixed(0)} ms.`,
    '',
    "Forward time per model, one study's batch, deterministic input, int8 and fp32 alternating run by run (medians):",
    '',
    ...forwardTable(demo.forward),
    '',
    'Output of each int8 model against its fp32 model on the inputs the pipeline gives them for 3 held-out studies:',
    '',
    ...driftTable(demo.drift),
    '',
    `Load average at the end: ${end.join(' / ')}. The full-size architectures: \`npm run bench -- quantize-full\`.`,
  ];
  return {
    title: 'int8 (models quantize) against fp32, demo set: metric on a held-out cohort, speed per model and per study',
    machine,
    date,
    markdown: md.join('\n'),
    raw: { isa, demo, loadAverageEnd: end },
  };
}

/** `npm run bench -- quantize-full` (bench/quantize-full.ts). */
export async function runFull(): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const isa = await isaFlags();
  const full = await fullPart(runsSetting());
  const end = loadNowList();
  const md = [
    ...header(isa),
    '',
    `Full-size random-weight architectures (bench/inference's set), calibrated on ${full.calibrationStudies} synthetic studies at ${FULL_COHORT.size} px in ${f1(full.quantizeMs / 1000)} s. Forward time per model, one study's batch, alternating:`,
    '',
    ...forwardTable(full.forward),
    '',
    'Output difference on the third study (its real pipeline inputs). Random weights make no metric: this says how far int8 moves the numbers.',
    '',
    ...driftTable(full.drift),
    '',
    `Load average at the end: ${end.join(' / ')}.`,
  ];
  return {
    title: 'int8 (models quantize) against fp32, full-size architectures: speed per model and per study, output difference',
    machine,
    date,
    markdown: md.join('\n'),
    raw: { isa, full, loadAverageEnd: end },
  };
}
