// `npm run bench -- pipeline-ratio-full`: bench/pipeline-ratio.ts with the full-size architectures instead of the
// demo set: the whole pipeline against the forward time of the same models, same run, at 1, 2 and 8 studies per batch.
import { FULL_SETUP, runWith } from './pipeline-ratio.js';
import type { BenchReport } from './support/report.js';

export function run(): Promise<BenchReport> {
  return runWith(FULL_SETUP);
}
