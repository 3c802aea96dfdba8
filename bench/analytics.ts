// `npm run bench -- analytics`: the research analytics rows of issue 17 alone (bench/support/analytics-rows.ts) on
// the API benchmark's database (20,000 studies x 25 labels). `npm run bench -- api` runs the same rows after its own.
// The real server (AUTH_MODE=off, loopback) runs in this process.
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { serve as Serve } from '../src/server.js';
import { formatAnalytics, prepareAnalytics, timeAnalytics } from './support/analytics-rows.js';
import { generateApiDataset } from './support/api-dataset.js';
import { withBenchDatabase } from './support/bench-database.js';
import { loadNow, machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';

const STUDIES = Number(process.env.BENCH_API_STUDIES ?? 20_000);

function log(message: string): void {
  process.stderr.write(`[bench analytics] ${message}\n`);
}

async function loadServe(): Promise<typeof Serve> {
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return (await import('../src/server.js')).serve;
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

export async function run(): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const serve = await loadServe();
  return withBenchDatabase('analytics', async (bench) => {
    log(`generating ${STUDIES} studies`);
    const dataset = await generateApiDataset(bench.url, { studies: STUDIES, seed: 0.2024, agreement: 0.7 });
    const client = new pg.Client({ connectionString: bench.url });
    await client.connect();
    const setup = await prepareAnalytics(client, dataset);
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      AUTH_MODE: 'off',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: bench.url,
      PATIENT_KEY_SECRET: 'spinegraph-bench-api-secret',
    });
    const server = await serve({ config, logger: createLogger('silent'), db: bench.db, useRedis: false, port: 0 });
    try {
      const rows = await timeAnalytics(server.api.url, dataset, setup.setB, log);
      return {
        title: `Research analytics over GraphQL on ${dataset.studies.toLocaleString('en')} studies x 25 labels, two model sets (in-process server, one request at a time)`,
        machine,
        date,
        markdown: formatAnalytics(dataset.studies, rows, setup),
        raw: { rows, setup, loadAtEnd: loadNow() },
      };
    } finally {
      await client.end();
      await server.stop();
    }
  });
}
