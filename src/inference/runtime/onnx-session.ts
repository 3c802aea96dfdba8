// The only importer of onnxruntime-node. Everything else sees ModelSession: named float32 tensors in and out.
import * as ort from 'onnxruntime-node';
import { cachedGraphFor, forgetGraph, stagingFor } from './optimized-model-cache.js';

export type ExecutionProvider = 'cpu' | 'cuda';
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeLogger {
  warn(message: string): void;
}

export interface RuntimeOptions {
  /** 'cuda' is tried first and falls back to 'cpu' with a warning when the CUDA provider cannot start. */
  readonly executionProvider?: ExecutionProvider;
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  /**
   * onnxruntime's `session.intra_op.allow_spinning` (its default: true): idle intra-op threads spin-wait for the
   * next operator. Off, they sleep, leaving the core to whatever else runs (input preparation, other processes).
   */
  readonly allowSpinning?: boolean;
  /** onnxruntime's CPU memory arena (its default: on). */
  readonly enableCpuMemArena?: boolean;
  /** onnxruntime's memory pattern planning (its default: on). */
  readonly enableMemPattern?: boolean;
  /**
   * onnxruntime's graph optimisation level. Default 'all': the fastest forward passes measured (BENCHMARKS.md
   * `session-options`; src/inference/README.md, Runtime).
   */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /**
   * A folder for optimised graphs (CPU sessions opened from a file path): the first session of a model file saves
   * its optimised graph there, later ones (any process) open that graph with optimisation off. Unset: no cache.
   */
  readonly optimizedModelDir?: string;
  readonly logger?: RuntimeLogger;
}

export interface TensorInfo {
  readonly name: string;
  /** onnxruntime's element type name, e.g. 'float32'; undefined for non-tensor values. */
  readonly type: string | undefined;
  /** Numbers for fixed dimensions; strings (symbolic) or -1 for dynamic ones; empty when unknown. */
  readonly shape: readonly (number | string)[];
}

export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ModelSession {
  readonly path: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The provider the session really runs on (after any fallback). */
  readonly executionProvider: ExecutionProvider;
  run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: undefined, shape: [] }));
}

function sessionOptions(options: RuntimeOptions, provider: ExecutionProvider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
    ...(options.enableCpuMemArena !== undefined ? { enableCpuMemArena: options.enableCpuMemArena } : {}),
    ...(options.enableMemPattern !== undefined ? { enableMemPattern: options.enableMemPattern } : {}),
    ...(options.allowSpinning !== undefined
      ? { extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } } }
      : {}),
  };
}

/**
 * A CPU session of a model file through the optimised-graph cache: opened from the saved graph (optimisation off)
 * when there is one, else opened normally while onnxruntime saves its optimised graph for the next time. A saved
 * graph that no longer opens is removed and the model opened from its own file; a cache folder that cannot be
 * written costs the saving, never the session (a warning, then the model opened as without a cache).
 */
async function createCachedCpuSession(model: string, options: RuntimeOptions, dir: string): Promise<ort.InferenceSession> {
  const level = options.graphOptimizationLevel ?? 'all';
  const base = sessionOptions(options, 'cpu');
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  let cached: Awaited<ReturnType<typeof cachedGraphFor>>;
  let staging: Awaited<ReturnType<typeof stagingFor>>;
  try {
    cached = await cachedGraphFor(dir, model, level, ort.env.versions.common);
    if (cached.exists) {
      try {
        return await ort.InferenceSession.create(cached.path, { ...base, graphOptimizationLevel: 'disabled' });
      } catch (e) {
        options.logger?.warn(`saved optimised graph ${cached.path} did not open (${why(e)}); re-optimising`);
        await forgetGraph(cached.path);
      }
    }
    staging = await stagingFor(dir, cached.path);
  } catch (e) {
    options.logger?.warn(`optimised-graph cache ${dir} unusable (${why(e)}); opening ${model} without it`);
    return ort.InferenceSession.create(model, base);
  }
  let session: ort.InferenceSession;
  try {
    // Errors only: saving at level 'all' logs a warning that the graph is specific to this machine, which the cache
    // key already accounts for (and which would reach every CLI command's stderr).
    session = await ort.InferenceSession.create(model, { ...base, optimizedModelFilePath: staging.path, logSeverityLevel: 3 });
  } catch (e) {
    await staging.discard();
    throw e;
  }
  await staging.commit().catch(async (e: unknown) => {
    options.logger?.warn(`could not save the optimised graph of ${model} (${why(e)})`);
    await staging.discard();
  });
  return session;
}

async function createOrtSession(
  model: string | Uint8Array,
  options: RuntimeOptions,
  label: string,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider }> {
  const create = (p: ExecutionProvider) =>
    typeof model === 'string'
      ? p === 'cpu' && options.optimizedModelDir !== undefined
        ? createCachedCpuSession(model, options, options.optimizedModelDir)
        : ort.InferenceSession.create(model, sessionOptions(options, p))
      : ort.InferenceSession.create(model, sessionOptions(options, p));
  if (options.executionProvider === 'cuda') {
    try {
      return { session: await create('cuda'), provider: 'cuda' };
    } catch (e) {
      options.logger?.warn(
        `CUDA execution provider unavailable for ${label} (${e instanceof Error ? e.message : String(e)}); running on CPU`,
      );
    }
  }
  return { session: await create('cpu'), provider: 'cpu' };
}

/** Opens a model file or in-memory model bytes. */
export async function openModelSession(
  model: string | Uint8Array,
  options: RuntimeOptions = {},
  label = typeof model === 'string' ? model : '<bytes>',
): Promise<ModelSession> {
  const { session, provider } = await createOrtSession(model, options, label);
  return {
    path: label,
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
    executionProvider: provider,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, [...t.dims]);
      const result = await session.run(ortFeeds);
      const out: Record<string, FloatTensor> = {};
      for (const [name, value] of Object.entries(result)) {
        if (value.type !== 'float32') throw new TypeError(`${label}: output ${name} is ${value.type}, expected float32`);
        out[name] = { data: value.data as Float32Array, dims: [...value.dims] };
      }
      return out;
    },
    release: () => session.release(),
  };
}

/** One session per model path and options, created on first use and shared afterwards (creation costs 0.1-0.4 s). */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  constructor(private readonly options: RuntimeOptions = {}) {}

  get(path: string): Promise<ModelSession> {
    let s = this.sessions.get(path);
    if (!s) {
      s = openModelSession(path, this.options);
      this.sessions.set(path, s);
      s.catch(() => this.sessions.delete(path));
    }
    return s;
  }

  async releaseAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s).release()));
  }
}
