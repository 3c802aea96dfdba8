// `npm run bench -- session-options`: onnxruntime session options chosen by measurement (issue 15, part 1): graph
// optimisation level, intra-op threads, memory arena, memory pattern, and optimised graphs saved once and reopened
// (SessionOptions.optimizedModelFilePath, src/inference/runtime/optimized-model-cache.ts).
//
// For every model of a folder that has a check file (the demo set, or BENCH_SESSION_DIR), in rounds, each
// configuration in turn: open a session (timed, wall and process CPU), one untimed run (its output compared with the
// level-'all' session's), then BENCH_SESSION_RUNS timed runs of the check file's input. Configurations alternate
// within each round so they see the same load. BENCH_SESSION_LARGE_DIR (optionally BENCH_SESSION_LARGE_MODELS, names
// without .onnx) adds session creation of larger models (e.g. the seed ensemble's) at levels all and disabled and
// through the saved graph.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distribution } from '../src/inference/bench.js';
import { fmix32Input } from '../src/inference/check-file.js';
import { openModelSession, type RuntimeOptions } from '../src/inference/runtime/onnx-session.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';

const DIR = process.env.BENCH_SESSION_DIR ?? fileURLToPath(new URL('../models/demo', import.meta.url));
const ROUNDS = Number(process.env.BENCH_SESSION_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_SESSION_RUNS ?? 3);
/** Optional: a folder of larger models (with check files) whose session creation is also measured, e.g. the seed ensemble's. */
const LARGE_DIR = process.env.BENCH_SESSION_LARGE_DIR;
const LARGE_MODELS = process.env.BENCH_SESSION_LARGE_MODELS?.split(',');
const LARGE_ROUNDS = Number(process.env.BENCH_SESSION_LARGE_ROUNDS ?? 2);
const LARGE_CONFIGS = ['level all (today)', 'level disabled', 'all, saved optimised graph reopened'];
const log = (m: string) => console.error(`[session-options] ${m}`);
const load1 = () => loadavg()[0].toFixed(1);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Config {
  readonly name: string;
  readonly options: RuntimeOptions;
  /** Opened through the optimised-graph cache: the first creation writes the graph, later ones reopen it. */
  readonly cached?: boolean;
}

const BASE: RuntimeOptions = { executionProvider: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1, allowSpinning: false };
const CONFIGS: readonly Config[] = [
  { name: 'level all (today)', options: { ...BASE, graphOptimizationLevel: 'all' } },
  { name: 'level extended', options: { ...BASE, graphOptimizationLevel: 'extended' } },
  { name: 'level basic', options: { ...BASE, graphOptimizationLevel: 'basic' } },
  { name: 'level disabled', options: { ...BASE, graphOptimizationLevel: 'disabled' } },
  { name: 'all, 1 intra-op thread', options: { ...BASE, intraOpNumThreads: 1 } },
  { name: 'all, memory arena off', options: { ...BASE, enableCpuMemArena: false } },
  { name: 'all, memory pattern off', options: { ...BASE, enableMemPattern: false } },
  { name: 'all, saved optimised graph reopened', options: { ...BASE, graphOptimizationLevel: 'all' }, cached: true },
];

interface Model {
  readonly name: string;
  readonly path: string;
  readonly input: string;
  readonly dims: readonly number[];
}

interface Sample {
  createMs: number[];
  runMs: number[];
  /** Process CPU time (every thread) of each creation and each run: the work, which load does not inflate as much. */
  createCpuMs: number[];
  runCpuMs: number[];
  maxAbsDiff: number;
  /** The first creation (the warm-up round's); for the cached configuration, the one that optimises and saves. */
  firstCreateMs?: number;
}

/** Every model of `dir` that has a check file (its input name and shape: the check run's batch), optionally only `only`. */
async function modelsIn(dir: string, only?: readonly string[]): Promise<Model[]> {
  const out: Model[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.check.json')).sort()) {
    const check = JSON.parse(await readFile(join(dir, file), 'utf8')) as { onnx: string; input: { name: string; shape: number[] } };
    const name = check.onnx.replace(/\.onnx$/, '');
    if (only && !only.includes(name)) continue;
    out.push({ name, path: join(dir, check.onnx), input: check.input.name, dims: check.input.shape });
  }
  if (out.length === 0) throw new Error(`no models with check files in ${dir}`);
  return out;
}

type Results = Map<string, Map<string, Sample>>;

/** One warm-up round, then `rounds` timed rounds, configurations alternating (reversed every other round). */
async function measure(
  list: readonly Model[],
  configs: readonly Config[],
  rounds: number,
  runs: number,
  loads: number[],
): Promise<Results> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sg-bench-ort-graphs-'));
  const results: Results = new Map(configs.map((c) => [c.name, new Map()]));
  const reference = new Map<string, Float32Array>();
  try {
    // Round 0 is a warm-up (file cache, JIT, onnxruntime's first allocations), not recorded.
    for (let round = 0; round <= rounds; round++) {
      if (round > 0) loads.push(Number(load1()));
      const order = round % 2 === 0 ? configs : [...configs].reverse();
      for (const config of order) {
        for (const m of list) {
          const feeds = {
            [m.input]: {
              data: fmix32Input(
                m.dims.reduce((a, d) => a * d, 1),
                1234,
              ),
              dims: m.dims,
            },
          };
          const options = config.cached ? { ...config.options, optimizedModelDir: cacheDir } : config.options;
          const c0 = cpuMs();
          const t0 = performance.now();
          const session = await openModelSession(m.path, options);
          const createMs = performance.now() - t0;
          const createCpuMs = cpuMs() - c0;
          try {
            const first = Object.values(await session.run(feeds))[0].data;
            const runMs: number[] = [];
            const runCpuMs: number[] = [];
            for (let i = 0; i < runs; i++) {
              const c1 = cpuMs();
              const t1 = performance.now();
              await session.run(feeds);
              runMs.push(performance.now() - t1);
              runCpuMs.push(cpuMs() - c1);
            }
            if (config === configs[0] && !reference.has(m.path)) reference.set(m.path, first);
            const ref = reference.get(m.path);
            let diff = 0;
            if (ref) for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i] - first[i]));
            const byModel = results.get(config.name)!;
            const s = byModel.get(m.path);
            if (!s)
              byModel.set(m.path, { createMs: [], runMs: [], createCpuMs: [], runCpuMs: [], maxAbsDiff: diff, firstCreateMs: createMs });
            else {
              s.createMs.push(createMs);
              s.createCpuMs.push(createCpuMs);
              s.runMs.push(...runMs);
              s.runCpuMs.push(...runCpuMs);
              s.maxAbsDiff = Math.max(s.maxAbsDiff, diff);
            }
          } finally {
            await session.release();
          }
        }
        log(`${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}: ${config.name} (load ${load1()})`);
      }
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
  return results;
}

const f0 = (v: number) => v.toFixed(0);
const rel = (v: number, base: number) => `${(v / base).toFixed(2)}x`;

function sumOfMedians(results: Results, config: string, pick: (s: Sample) => number[]): number {
  return [...results.get(config)!.values()].reduce((a, s) => a + (pick(s).length ? distribution(pick(s)).median : 0), 0);
}

function summaryTable(results: Results, configs: readonly Config[], withRuns: boolean): string[] {
  const base = configs[0].name;
  const [bc, bcc, br, brc] = [
    sumOfMedians(results, base, (s) => s.createMs),
    sumOfMedians(results, base, (s) => s.createCpuMs),
    sumOfMedians(results, base, (s) => s.runMs),
    sumOfMedians(results, base, (s) => s.runCpuMs),
  ];
  return [
    `| configuration | session creation ms, all models (CPU ms) | vs today (CPU) |${withRuns ? ' forward ms, every model once (CPU ms) | vs today (CPU) |' : ''} max abs output difference vs today |`,
    `|---|---:|---:|${withRuns ? '---:|---:|' : ''}---:|`,
    ...configs.map((c) => {
      const create = sumOfMedians(results, c.name, (s) => s.createMs);
      const createCpu = sumOfMedians(results, c.name, (s) => s.createCpuMs);
      const fwd = sumOfMedians(results, c.name, (s) => s.runMs);
      const fwdCpu = sumOfMedians(results, c.name, (s) => s.runCpuMs);
      const diff = Math.max(...[...results.get(c.name)!.values()].map((s) => s.maxAbsDiff));
      const runCols = withRuns ? ` ${f0(fwd)} (${f0(fwdCpu)}) | ${rel(fwd, br)} (${rel(fwdCpu, brc)}) |` : '';
      return `| ${c.name} | ${f0(create)} (${f0(createCpu)}) | ${rel(create, bc)} (${rel(createCpu, bcc)}) |${runCols} ${diff.toExponential(1)} |`;
    }),
  ];
}

function cacheTable(results: Results, list: readonly Model[], today: string, cached: string, withRuns: boolean): string[] {
  return [
    `| model | input | creation ms, level all | first creation, optimising and saving the graph ms | creation from the saved graph ms |${withRuns ? ' forward ms, level all | forward ms, saved graph |' : ''}`,
    `|---|---|---:|---:|---:|${withRuns ? '---:|---:|' : ''}`,
    ...list.map((m) => {
      const a = results.get(today)!.get(m.path)!;
      const c = results.get(cached)!.get(m.path)!;
      const runs = withRuns ? ` ${f0(distribution(a.runMs).median)} | ${f0(distribution(c.runMs).median)} |` : '';
      return `| ${m.name} | ${m.dims.join('x')} | ${f0(distribution(a.createMs).median)} | ${f0(c.firstCreateMs ?? Number.NaN)} | ${f0(distribution(c.createMs).median)} |${runs}`;
    }),
  ];
}

export async function run(): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const list = await modelsIn(DIR);
  const loads: number[] = [];
  const results = await measure(list, CONFIGS, ROUNDS, RUNS, loads);
  const cached = CONFIGS.find((c) => c.cached)!.name;
  const md = [
    `${list.length} models from ${DIR.endsWith('models/demo') ? 'models/demo (the demo set)' : DIR}, each at its check file's input (batch 2); onnxruntime-node cpu, 2 intra-op threads, 1 inter-op thread, spinning off unless the row says otherwise. One warm-up round, then ${ROUNDS} timed rounds; in each, every configuration opens every model (timed), runs it once untimed (outputs compared with level all's), then ${RUNS} timed runs; configurations alternate (reversed every other round). Medians per model, summed over the models; wall ms, and in brackets the process's CPU ms (all threads: the work done, which load inflates less than wall time). Load average (1 min) at the start of each round: ${loads.join(', ')}.`,
    '',
    ...summaryTable(results, CONFIGS, RUNS > 0),
    '',
    'Per model, level all against the saved optimised graph (the first creation, in the warm-up round, optimises and writes it; the timed rounds reopen it with optimisation off):',
    '',
    ...cacheTable(results, list, CONFIGS[0].name, cached, RUNS > 0),
  ];
  const raw: Record<string, unknown> = { dir: DIR, rounds: ROUNDS, runs: RUNS, loads, results: plain(results) };
  if (LARGE_DIR) {
    const large = await modelsIn(LARGE_DIR, LARGE_MODELS);
    const configs = CONFIGS.filter((c) => LARGE_CONFIGS.includes(c.name));
    const largeLoads: number[] = [];
    const r = await measure(large, configs, LARGE_ROUNDS, 0, largeLoads);
    md.push(
      '',
      `### Larger models: session creation`,
      '',
      `${large.length} models from ${LARGE_DIR} (BENCH_SESSION_LARGE_DIR), one warm-up round then ${LARGE_ROUNDS} timed rounds of session creation (and one untimed run, for the output comparison). Load average (1 min) at the start of each round: ${largeLoads.join(', ')}.`,
      '',
      ...summaryTable(r, configs, false),
      '',
      ...cacheTable(r, large, configs[0].name, cached, false),
    );
    raw.large = { dir: LARGE_DIR, rounds: LARGE_ROUNDS, loads: largeLoads, results: plain(r) };
  }
  const end = loadavg().map((v) => v.toFixed(2));
  md.push(
    '',
    `Load average at the end: ${end.join(' / ')}. On this shared 2-core machine every time is an upper bound; configurations alternate, so they see the same load, but differences of a few per cent are noise.`,
  );
  raw.loadAverageEnd = end;
  return {
    title: 'onnxruntime session options: optimisation level, threads, memory arena and pattern, saved optimised graphs',
    machine,
    date,
    markdown: md.join('\n'),
    raw,
  };
}

const plain = (r: Results) => Object.fromEntries([...r].map(([k, v]) => [k, Object.fromEntries(v)]));
