// `npm run bench -- seed-ensemble`: only the "seed ensemble" row of `npm run bench -- inference` (the whole 9th-place
// ensemble per study, fp32 and int8), without the rest of that benchmark, which takes much longer.
// Settings: BENCH_SEED_RUNS (timed runs per network and precision, default 2); INFERENCE_PROVIDER=cuda runs the
// sessions on the CUDA execution provider (a GPU host), as the worker does.
import { loadavg } from 'node:os';
import { seedEnsembleMarkdown, timeSeedEnsemble } from './inference/seed-ensemble.js';
import { machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';

const loadAverage = () => loadavg().map((v) => Math.round(v * 100) / 100);

export async function run(): Promise<BenchReport> {
  const machine = machineInfo();
  const date = new Date().toISOString();
  const loadAverageStart = loadAverage();
  const runs = Number(process.env.BENCH_SEED_RUNS) > 0 ? Math.floor(Number(process.env.BENCH_SEED_RUNS)) : 2;
  const executionProvider = process.env.INFERENCE_PROVIDER === 'cuda' ? 'cuda' : 'cpu';
  const seed = await timeSeedEnsemble({ executionProvider, intraOpNumThreads: 2, interOpNumThreads: 1 }, runs, (m) =>
    console.error(`[seed-ensemble] ${m}`),
  );
  const loadAverageEnd = loadAverage();
  return {
    title: 'The seed ensemble per study (all models, all folds), fp32 and int8, onnxruntime-node',
    machine,
    date,
    markdown: `${seedEnsembleMarkdown(seed)}\nExecution provider: ${executionProvider}, 2 intra-op threads. Load average ${loadAverageStart.join(' / ')} at the start, ${loadAverageEnd.join(' / ')} at the end (1/5/15 min).\n`,
    raw: { seed, executionProvider, loadAverageStart, loadAverageEnd },
  };
}
