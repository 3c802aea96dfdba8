// The only importer of onnxruntime-node. Everything else sees ModelSession: named float32 tensors in and out.
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda';

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
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
    ...(options.enableCpuMemArena !== undefined ? { enableCpuMemArena: options.enableCpuMemArena } : {}),
    ...(options.allowSpinning !== undefined
      ? { extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } } }
      : {}),
  };
}

async function createOrtSession(
  model: string | Uint8Array,
  options: RuntimeOptions,
  label: string,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider }> {
  const create = (p: ExecutionProvider) =>
    typeof model === 'string'
      ? ort.InferenceSession.create(model, sessionOptions(options, p))
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
