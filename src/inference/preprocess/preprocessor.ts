// Where rendering runs: inline on the calling thread, or on a small pool of worker threads so that the
// main thread stays free to feed onnxruntime (whose runs already execute off the JS thread).
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../runtime/start-worker.js';
import type { ImageFrame } from '../../domain/image.js';
import { renderBatch, type RenderBatch } from './render.js';

export interface Preprocessor {
  /**
   * One tensor per task. With `into`, task i lands in `into[i]` (zeroed; a view of the model's input tensor, so the
   * inline path writes each sample once instead of rendering and then copying it) and the result holds those views.
   */
  render(batch: RenderBatch, into?: readonly Float32Array[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export const inlinePreprocessor: Preprocessor = {
  render: (batch, into) => Promise.resolve(renderBatch(batch, into)),
  close: () => Promise.resolve(),
};

interface Pending {
  resolve(out: Float32Array[]): void;
  reject(e: Error): void;
}

function startWorker(): Worker {
  return startModuleWorker(siblingModule(import.meta.url, 'render-worker'));
}

/** Splits each batch across `threads` workers (tasks round-robin, each worker gets only the frames it needs). */
export class WorkerPreprocessor implements Preprocessor {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 0;

  constructor(threads: number) {
    if (!(threads >= 1)) throw new RangeError(`WorkerPreprocessor needs at least one thread, got ${threads}`);
    this.workers = Array.from({ length: threads }, () => {
      const w = startWorker();
      w.on('message', (msg: { id: number; out?: Float32Array[]; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        this.release(w);
        if (msg.out) p.resolve(msg.out);
        else p.reject(new Error(`preprocessing worker failed: ${msg.error ?? 'unknown error'}`));
      });
      w.on('error', (e) => this.failAll(e));
      // An idle pool must not keep the process alive; a busy one must (see hold/release).
      w.unref();
      return w;
    });
  }

  async render(batch: RenderBatch, into?: readonly Float32Array[]): Promise<Float32Array[]> {
    const n = Math.min(this.workers.length, batch.tasks.length);
    if (n === 0) return [];
    const parts = Array.from({ length: n }, (_, w) => batch.tasks.map((_t, i) => i).filter((i) => i % n === w));
    const results = await Promise.all(parts.map((taskIdx, w) => this.post(w, subBatch(batch, taskIdx))));
    const out = new Array<Float32Array>(batch.tasks.length);
    // A worker's tensors arrive in buffers of their own: copied into the targets when there are any.
    parts.forEach((taskIdx, w) =>
      taskIdx.forEach((t, j) => {
        const target = into?.[t];
        if (target) target.set(results[w][j]);
        out[t] = target ?? results[w][j];
      }),
    );
    return out;
  }

  private post(worker: number, batch: RenderBatch): Promise<Float32Array[]> {
    const id = this.nextId++;
    const w = this.workers[worker];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.hold(w);
      w.postMessage({ id, batch });
    });
  }

  private hold(w: Worker): void {
    const n = this.busy.get(w) ?? 0;
    if (n === 0) w.ref();
    this.busy.set(w, n + 1);
  }

  private release(w: Worker): void {
    const n = (this.busy.get(w) ?? 1) - 1;
    this.busy.set(w, n);
    if (n === 0) w.unref();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const w of this.workers) w.unref();
    this.busy.clear();
  }

  async close(): Promise<void> {
    this.failAll(new Error('preprocessor closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function subBatch(batch: RenderBatch, taskIdx: readonly number[]): RenderBatch {
  const remap = new Map<number, number>();
  const frames: ImageFrame[] = [];
  const tasks = taskIdx.map((i) => {
    const t = batch.tasks[i];
    return {
      ...t,
      channels: t.channels.map((ch) => {
        if (ch.frame < 0) return ch;
        let f = remap.get(ch.frame);
        if (f === undefined) {
          f = frames.length;
          remap.set(ch.frame, f);
          frames.push(batch.frames[ch.frame]);
        }
        return { ...ch, frame: f };
      }),
    };
  });
  return { frames, tasks };
}
