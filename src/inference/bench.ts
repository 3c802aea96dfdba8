// Speed measurement: ONNX models run N times on fixed inputs (with achieved GFLOP/s when the caller knows the
// FLOP count), and the whole pipeline run N times over given studies (per-stage medians). `npm run bench --
// inference` wires these to the full-size architectures.
import { fmix32Input } from './check-file.js';
import type { LoadedModelSet } from './model-set.js';
import { runPipeline, type PipelineOptions } from './pipeline/run.js';
import { openModelSession, type RuntimeOptions } from './runtime/onnx-session.js';
import type { StudyInput } from './stack.js';

export interface ModelBenchSpec {
  readonly name: string;
  /** Path of an .onnx file, or its bytes. */
  readonly model: string | Uint8Array;
  /** Input name -> full shape, batch included. */
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  /** Floating-point operations of one run at these shapes (multiply-add = 2), when known. */
  readonly flops?: number;
}

export interface Distribution {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly mean: number;
}

export interface ModelBenchResult {
  readonly name: string;
  readonly runs: number;
  readonly ms: Distribution;
  /** flops / median time; undefined without a FLOP count. */
  readonly gflopsPerSecond: number | undefined;
  readonly executionProvider: string;
}

export function distribution(samples: readonly number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  const round = (v: number) => Math.round(v * 100) / 100;
  // An even count's median is the mean of its two middle values (nearest-rank would report the larger of two runs).
  const mid = s.length / 2;
  const median = s.length % 2 === 0 && s.length > 0 ? (s[mid - 1] + s[mid]) / 2 : at(0.5);
  return { median: round(median), p10: round(at(0.1)), p90: round(at(0.9)), mean: round(s.reduce((a, v) => a + v, 0) / s.length) };
}

export interface BenchOptions {
  readonly runs?: number;
  readonly warmup?: number;
  readonly runtime?: RuntimeOptions;
}

/** Each model: one session, `warmup` untimed runs, then `runs` timed runs on deterministic inputs. */
export async function benchmarkModels(specs: readonly ModelBenchSpec[], options: BenchOptions = {}): Promise<ModelBenchResult[]> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 3;
  const results: ModelBenchResult[] = [];
  for (const spec of specs) {
    const session = await openModelSession(spec.model, options.runtime ?? {}, spec.name);
    try {
      const feeds = Object.fromEntries(
        Object.entries(spec.inputs).map(([name, dims], i) => [
          name,
          {
            data: fmix32Input(
              dims.reduce((a, d) => a * d, 1),
              i + 1,
            ),
            dims: [...dims],
          },
        ]),
      );
      for (let i = 0; i < warmup; i++) await session.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        times.push(performance.now() - t0);
      }
      const ms = distribution(times);
      results.push({
        name: spec.name,
        runs,
        ms,
        gflopsPerSecond: spec.flops !== undefined ? Math.round((spec.flops / (ms.median * 1e6)) * 10) / 10 : undefined,
        executionProvider: session.executionProvider,
      });
    } finally {
      await session.release();
    }
  }
  return results;
}

export interface PipelineBenchResult {
  readonly runs: number;
  readonly studies: number;
  /** Wall time of one whole run over all the studies. */
  readonly wallMs: Distribution;
  readonly msPerStudy: number;
  readonly studiesPerMinute: number;
  /** Median busy time per stage per run (stages overlap, so they may sum to more than the wall time). */
  readonly stagesMs: Readonly<Record<string, number>>;
}

/** The whole pipeline over `studies`, `runs` times after one warm-up run (sessions already open in the set). */
export async function benchmarkPipeline(
  studies: readonly StudyInput[],
  modelSet: LoadedModelSet,
  options: PipelineOptions & { runs?: number } = {},
): Promise<PipelineBenchResult> {
  const runs = options.runs ?? 5;
  await runPipeline(studies, modelSet, options);
  const walls: number[] = [];
  const stages = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const results = await runPipeline(studies, modelSet, options);
    walls.push(performance.now() - t0);
    // Studies of one batch share a timings object: count each batch once.
    const batches = new Set(results.map((r) => r.timings));
    const perRun = new Map<string, number>();
    for (const t of batches) for (const [k, v] of Object.entries(t.stagesMs)) perRun.set(k, (perRun.get(k) ?? 0) + v);
    for (const [k, v] of perRun) stages.set(k, [...(stages.get(k) ?? []), v]);
  }
  const wallMs = distribution(walls);
  const msPerStudy = Math.round((wallMs.median / studies.length) * 10) / 10;
  return {
    runs,
    studies: studies.length,
    wallMs,
    msPerStudy,
    studiesPerMinute: Math.round((60000 / msPerStudy) * 10) / 10,
    stagesMs: Object.fromEntries([...stages].map(([k, v]) => [k, distribution(v).median])),
  };
}
