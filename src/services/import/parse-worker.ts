// Worker-thread entry: parses the paths it is sent and posts back the outcomes, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { parseImportFile } from './parse-file.js';

const secret = (workerData as { secret: string }).secret;

parentPort?.on('message', async (msg: { id: number; paths: string[] }) => {
  const outcomes = [];
  for (const path of msg.paths) outcomes.push(await parseImportFile(path, secret));
  parentPort?.postMessage({ id: msg.id, outcomes });
});
