// `npm run bench -- preprocess`: milliseconds per model input tensor of the preprocessing (bicubic resampling, ROI
// cut-outs, stack z-score), today's code against the code it replaced (issue 15, part 1), on the real render batches
// of the pipeline.
//
// The demo set runs the pipeline once on synthetic studies read from DICOM files, with a preprocessor that keeps
// every render batch it is given (decoded slices and sampling plans). Those batches are then rendered again and again
// by both implementations, alternating, at the demo set's sizes and at the full-size set's (512 px keypoint inputs,
// 128 px ROIs: the same plans re-aimed at the larger grids). Every tensor of both is compared bit for bit: the run
// fails if one differs.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { distribution } from '../src/inference/bench.js';
import { loadModelSet } from '../src/inference/model-set.js';
import { runPipeline } from '../src/inference/pipeline/run.js';
import { resizeAxis } from '../src/inference/preprocess/pixel-map.js';
import type { Preprocessor } from '../src/inference/preprocess/preprocessor.js';
import { renderBatch, type RenderBatch, type RenderTask } from '../src/inference/preprocess/render.js';
import { cutOutMap } from '../src/inference/preprocess/roi.js';
import { renderBatch as legacyRenderBatch } from '../tests/support/legacy-preprocess/render.js';
import { rsnaStudyInputs } from './inference/rsna-study-input.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { ensureSynthCohort } from './support/synth-cohort.js';

const DEMO = fileURLToPath(new URL('../models/demo', import.meta.url));
const COHORT = { studies: 8, seed: 3033, size: 256 };
const USE = Number(process.env.BENCH_PREPROCESS_STUDIES ?? 4);
const ROUNDS = Number(process.env.BENCH_PREPROCESS_ROUNDS ?? 7);
const log = (m: string) => console.error(`[preprocess] ${m}`);
const load1 = () => loadavg()[0].toFixed(1);
/** Process CPU time: rendering is single-threaded JS, so this is its work, far less inflated by load than wall time. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** What a tensor is, for the tables: full slices or ROIs, channels x rows x cols. */
const kindOf = (t: RenderTask): string =>
  `${t.channels.some((c) => c.cut) ? 'ROI crops' : 'full slices'} ${t.channels.length}x${t.rows}x${t.cols}`;

/** The same plans aimed at another grid: full slices resized to `full`, ROI boxes to `roi` (mirrors kept). */
function retarget(batch: RenderBatch, full: number, roi: number): RenderBatch {
  return {
    frames: batch.frames,
    tasks: batch.tasks.map((t) => {
      const isRoi = t.channels.some((c) => c.cut);
      const size = isRoi ? roi : full;
      return {
        ...t,
        rows: size,
        cols: size,
        channels: t.channels.map((c) => {
          if (c.frame < 0) return c;
          if (c.cut) return { ...c, map: cutOutMap(c.cut, size, size, c.map.x.scale < 0) };
          const f = batch.frames[c.frame];
          return { ...c, map: { x: resizeAxis(f.columns, size), y: resizeAxis(f.rows, size) } };
        }),
      };
    }),
  };
}

/** Splits a batch into one batch per tensor kind (so each kind is timed on its own). */
function byKind(batches: readonly RenderBatch[]): Map<string, RenderBatch[]> {
  const out = new Map<string, RenderBatch[]>();
  for (const b of batches) {
    const groups = new Map<string, RenderTask[]>();
    for (const t of b.tasks) groups.set(kindOf(t), [...(groups.get(kindOf(t)) ?? []), t]);
    for (const [k, tasks] of groups) out.set(k, [...(out.get(k) ?? []), { frames: b.frames, tasks }]);
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

interface KindResult {
  readonly grid: string;
  readonly kind: string;
  readonly tensors: number;
  readonly legacyMs: number[];
  readonly currentMs: number[];
  readonly legacyCpuMs: number[];
  readonly currentCpuMs: number[];
}

/** Per round: every batch of the kind through both implementations (order alternating); ms per tensor. */
function timeKind(grid: string, kind: string, batches: readonly RenderBatch[]): KindResult {
  const tensors = batches.reduce((a, b) => a + b.tasks.length, 0);
  const legacyMs: number[] = [];
  const currentMs: number[] = [];
  const legacyCpuMs: number[] = [];
  const currentCpuMs: number[] = [];
  const once = (render: (b: RenderBatch) => Float32Array[], wall: number[], cpu: number[]) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    for (const b of batches) render(b);
    wall.push((performance.now() - t0) / tensors);
    cpu.push((cpuMs() - c0) / tensors);
  };
  for (const b of batches) {
    const a = renderBatch(b);
    const e = legacyRenderBatch(b);
    a.forEach((t, i) => {
      if (!sameBits(t, e[i])) throw new Error(`${grid} ${kind}: a tensor differs from the replaced code's`);
    });
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      once(legacyRenderBatch, legacyMs, legacyCpuMs);
      once(renderBatch, currentMs, currentCpuMs);
    } else {
      once(renderBatch, currentMs, currentCpuMs);
      once(legacyRenderBatch, legacyMs, legacyCpuMs);
    }
  }
  return { grid, kind, tensors, legacyMs, currentMs, legacyCpuMs, currentCpuMs };
}

const f2 = (v: number) => v.toFixed(2);

export async function run(): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const cohort = await ensureSynthCohort(COHORT);
  const studies = await rsnaStudyInputs(cohort.root, USE);
  const batches: RenderBatch[] = [];
  const recording: Preprocessor = {
    render: (batch) => {
      batches.push(batch);
      return Promise.resolve(renderBatch(batch));
    },
    close: () => Promise.resolve(),
  };
  const set = await loadModelSet(DEMO, { executionProvider: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1 });
  try {
    await runPipeline(studies, set, { studiesPerBatch: USE, preprocessor: recording });
  } finally {
    await set.release();
  }
  log(`${batches.length} render batches recorded from ${USE} studies (load ${load1()})`);
  const results: KindResult[] = [];
  const grids: [string, readonly RenderBatch[]][] = [
    ['demo sizes', batches],
    ['full-size grids (512 / 128)', batches.map((b) => retarget(b, 512, 128))],
  ];
  for (const [grid, list] of grids) {
    for (const [kind, group] of byKind(list)) {
      results.push(timeKind(grid, kind, group));
      const r = results[results.length - 1];
      log(
        `${grid} ${kind}: ${f2(distribution(r.legacyCpuMs).median)} -> ${f2(distribution(r.currentCpuMs).median)} CPU ms per tensor (load ${load1()})`,
      );
    }
  }
  const end = loadavg().map((v) => v.toFixed(2));
  const lines = [
    `The pipeline's own render batches: the demo set (models/demo) run once over ${USE} synthetic studies (seed ${COHORT.seed}, ${COHORT.size} px, read and decoded from DICOM files), every render batch kept; then each tensor kind rendered ${ROUNDS} times by the replaced code (main before issue 15's rewrite, kept in tests/support/legacy-preprocess) and by today's, alternating, inline on one thread. The same plans are also re-aimed at the full-size set's grids (512 px keypoint inputs, 128 px ROIs). Every tensor of both implementations was compared bit for bit and is identical. CPU ms per tensor (process CPU time: the work, which load inflates far less than wall time; medians of the rounds, p10-p90), and the wall-time medians beside them.`,
    '',
    '| grid | tensor | tensors per round | replaced code CPU ms per tensor | today CPU ms per tensor | speed-up (CPU) | wall ms per tensor, replaced -> today |',
    '|---|---|---:|---:|---:|---:|---|',
    ...results.map((r) => {
      const a = distribution(r.legacyCpuMs);
      const b = distribution(r.currentCpuMs);
      const wall = `${f2(distribution(r.legacyMs).median)} -> ${f2(distribution(r.currentMs).median)}`;
      return `| ${r.grid} | ${r.kind} | ${r.tensors} | ${f2(a.median)} (${f2(a.p10)}-${f2(a.p90)}) | ${f2(b.median)} (${f2(b.p10)}-${f2(b.p90)}) | ${(a.median / b.median).toFixed(2)}x | ${wall} |`;
    }),
    '',
    `Load average at the end: ${end.join(' / ')}. On this shared 2-core machine these are upper bounds; both implementations alternate, so they see the same load.`,
  ];
  return {
    title: 'Preprocessing per tensor: today vs the replaced code, same batches, bit-identical output',
    machine,
    date,
    markdown: lines.join('\n'),
    raw: { cohort: COHORT, studies: USE, rounds: ROUNDS, results, loadAverageEnd: end },
  };
}
