// Worker-thread entry: parses the files it is sent and posts back the outcomes, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { parseImportFile, type ParseTarget } from './parse-file.js';

const { secret, boundary } = workerData as { secret: string; boundary: string };

async function parseChunk(msg: { id: number; targets: ParseTarget[] }): Promise<void> {
  const outcomes = [];
  for (const target of msg.targets) outcomes.push(await parseImportFile(target, secret, boundary));
  parentPort?.postMessage({ id: msg.id, outcomes });
}

parentPort?.on('message', (msg: { id: number; targets: ParseTarget[] }) => {
  parseChunk(msg).catch((error: unknown) => {
    // parseImportFile reports bad files as outcomes, so this is a bug: rethrown outside the promise, it ends the thread
    // with an 'error' event, which parse-pool.ts turns into the import's failure instead of a chunk awaited forever.
    setImmediate(() => {
      throw error;
    });
  });
});
