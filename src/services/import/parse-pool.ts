// Parses many files on all cores: worker threads take chunks of paths; results come back in input order.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../runtime/start-worker.js';
import { parseImportFile, type ParseTarget } from './parse-file.js';
import type { ParseOutcome } from './parsed-file.js';

export interface ParseFilesOptions {
  readonly secret: string;
  /** The import folder's real path: no file outside it is read. */
  readonly boundary: string;
  readonly threads?: number;
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function parseFiles(paths: readonly ParseTarget[], options: ParseFilesOptions): Promise<ParseOutcome[]> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(paths.length / 16)));
  const chunkSize = options.chunkSize ?? 32;
  const outcomes: ParseOutcome[] = new Array(paths.length);
  let done = 0;
  if (threads === 1 || paths.length < 64) {
    for (let i = 0; i < paths.length; i++) {
      options.signal?.throwIfAborted();
      outcomes[i] = await parseImportFile(paths[i], options.secret, options.boundary);
      options.onProgress?.(++done, paths.length);
    }
    return outcomes;
  }
  const workers: Worker[] = [];
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: threads }, async () => {
        const worker = startModuleWorker(siblingModule(import.meta.url, 'parse-worker'), {
          workerData: { secret: options.secret, boundary: options.boundary },
        });
        workers.push(worker);
        while (next < paths.length) {
          options.signal?.throwIfAborted();
          const start = next;
          next += chunkSize;
          const chunk = paths.slice(start, start + chunkSize);
          const result = await new Promise<ParseOutcome[]>((resolve, reject) => {
            const onMessage = (msg: { id: number; outcomes: ParseOutcome[] }): void => {
              if (msg.id !== start) return;
              worker.off('message', onMessage);
              worker.off('error', reject);
              resolve(msg.outcomes);
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ id: start, targets: chunk });
          });
          for (let i = 0; i < result.length; i++) outcomes[start + i] = result[i];
          done += result.length;
          options.onProgress?.(done, paths.length);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes;
}
