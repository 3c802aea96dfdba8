// Spreads studies over worker threads. Each study is independent and deterministic, so results do not depend on
// which worker wrote it; they are returned in request order.
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../runtime/start-worker.js';
import { writeStudy, type WrittenStudy } from './study-files.js';
import type { StudyRequest } from './study-plan.js';

export interface WorkerTask {
  readonly id: number;
  readonly request: StudyRequest;
  readonly outDir: string;
}
export type WorkerReply = { readonly id: number; readonly study: WrittenStudy } | { readonly id: number; readonly error: string };

function startWorker(): Worker {
  return startModuleWorker(siblingModule(import.meta.url, 'render-worker'));
}

export async function writeStudies(
  requests: readonly StudyRequest[],
  outDir: string,
  workerCount: number,
  onStudy: (done: number) => void,
): Promise<WrittenStudy[]> {
  const results: WrittenStudy[] = new Array(requests.length);
  let done = 0;
  if (workerCount <= 1 || requests.length <= 1) {
    for (let i = 0; i < requests.length; i++) {
      results[i] = await writeStudy(requests[i], outDir);
      onStudy(++done);
    }
    return results;
  }

  const workers = Array.from({ length: Math.min(workerCount, requests.length) }, startWorker);
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let failed = false;
      const dispatch = (worker: Worker): void => {
        if (next < requests.length) {
          const id = next++;
          worker.postMessage({ id, request: requests[id], outDir } satisfies WorkerTask);
        }
      };
      for (const worker of workers) {
        worker.on('message', (reply: WorkerReply) => {
          if (failed) return;
          if ('error' in reply) {
            failed = true;
            reject(new Error(`study ${requests[reply.id].studyId}: ${reply.error}`));
            return;
          }
          results[reply.id] = reply.study;
          onStudy(++done);
          if (done === requests.length) resolve();
          else dispatch(worker);
        });
        worker.on('error', (error) => {
          failed = true;
          reject(error);
        });
        worker.on('exit', (code) => {
          if (code !== 0 && done < requests.length && !failed) {
            failed = true;
            reject(new Error(`synthesis worker exited with code ${code}`));
          }
        });
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
