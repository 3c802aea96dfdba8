// Worker-thread entry: parses the files it is sent and posts back the outcomes, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { parseImportFile, type ParseTarget } from './parse-file.js';

const { secret, boundary } = workerData as { secret: string; boundary: string };

parentPort?.on('message', async (msg: { id: number; targets: ParseTarget[] }) => {
  const outcomes = [];
  for (const target of msg.targets) outcomes.push(await parseImportFile(target, secret, boundary));
  parentPort?.postMessage({ id: msg.id, outcomes });
});
