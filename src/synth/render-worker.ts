// Worker-thread entry: writes the studies it is sent and reports each one back (see worker-pool.ts).
import { parentPort } from 'node:worker_threads';
import { writeStudy } from './study-files.js';
import type { WorkerReply, WorkerTask } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('render-worker must run in a worker thread');
port.on('message', (task: WorkerTask) => {
  writeStudy(task.request, task.outDir).then(
    (study) => port.postMessage({ id: task.id, study } satisfies WorkerReply),
    (error: unknown) =>
      port.postMessage({
        id: task.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies WorkerReply),
  );
});
