// Worker-thread entry: renders batches posted by WorkerPreprocessor and transfers the tensors back.
import { parentPort } from 'node:worker_threads';
import { renderBatch, type RenderBatch } from './render.js';

interface Request {
  readonly id: number;
  readonly batch: RenderBatch;
}

const port = parentPort;
if (!port) throw new Error('render-worker must run in a worker thread');
port.on('message', (req: Request) => {
  try {
    const out = renderBatch(req.batch);
    port.postMessage(
      { id: req.id, out },
      out.map((o) => o.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
