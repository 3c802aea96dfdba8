// `npm run bench -- jobs`: the job system on real Redis, PostgreSQL and worker processes.
//  1. queue overhead: no-op jobs/s, bare BullMQ and through this project's job lifecycle (rows + events);
//  2. cohort inference through the queue, studies/min with 1 and 2 worker processes (synthetic cohort, the fixture
//     model set: real ONNX models that cost almost nothing, so this measures the job system and the pipeline around
//     the models; bench/inference.ts measures full-size model compute);
//  3. latency from the runInference mutation to the first events at a WebSocket subscriber (p50/p99).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importStudies } from '../src/services/import/import-studies.js';
import { registerModelSet } from '../src/services/model-registry.service.js';
import { ensureProject } from '../src/services/projects.service.js';
import { writeFixtureModelSet } from '../tests/fixtures/models/fixture-model-set.js';
import { measureCohortThroughput } from './jobs/cohort-throughput.js';
import { measureProgressLatency } from './jobs/progress-latency.js';
import { measureQueueOverhead } from './jobs/queue-overhead.js';
import { jobsMarkdown } from './jobs/report.js';
import { withBenchDatabase } from './support/bench-database.js';
import { loadNow, machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { ensureSynthCohort } from './support/synth-cohort.js';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

const log = (message: string) => console.error(`[jobs] ${message}`);

export async function benchJobs(): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const studies = setting('BENCH_JOBS_STUDIES', 12);
  const size = setting('BENCH_JOBS_IMAGE_SIZE', 256);
  const noopJobs = setting('BENCH_JOBS_NOOP', 2000);
  const lifecycleJobs = setting('BENCH_JOBS_LIFECYCLE', 300);
  const latencyRuns = setting('BENCH_JOBS_LATENCY_RUNS', 50);
  const workerCounts = [1, 2];
  const concurrencies = [1, 8];

  log(`synthetic cohort: ${studies} studies at ${size} px (cached under the temp folder)`);
  const cohort = await ensureSynthCohort({ studies, seed: 2024, size });
  const modelsDir = await mkdtemp(join(tmpdir(), 'sg-bench-jobs-models-'));
  try {
    return await withBenchDatabase('jobs', async (bench) => {
      const projectId = (await ensureProject(bench.db)).id;
      const imported = await importStudies(bench.db, { root: cohort.root, projectId, secret: 'spinegraph-bench-jobs-secret' });
      if (imported.failures.length) throw new Error(`import failed for ${imported.failures.length} files`);
      await writeFixtureModelSet(modelsDir);
      const { set } = await registerModelSet(bench.db, modelsDir, { activate: true });
      const studyIds = (await bench.db.prisma.study.findMany({ orderBy: { externalId: 'asc' }, select: { id: true } })).map((s) => s.id);

      log(
        `queue overhead: ${noopJobs} bare no-op jobs, ${lifecycleJobs} no-op jobs through the job lifecycle, concurrency ${concurrencies.join(' and ')}`,
      );
      const queue = await measureQueueOverhead({ db: bench.db, redisUrl, bareJobs: noopJobs, lifecycleJobs, concurrencies });
      const cohortRuns = await measureCohortThroughput({
        db: bench.db,
        databaseUrl: bench.url,
        redisUrl,
        studyIds,
        modelSetId: set.id,
        workerCounts,
        warmupStudies: 2,
        log,
      });
      log(`latency: ${latencyRuns} runInference mutations of one study each`);
      const latency = await measureProgressLatency({
        db: bench.db,
        databaseUrl: bench.url,
        redisUrl,
        studyIds,
        runs: latencyRuns,
        warmup: 3,
        log,
      });
      const loadAtEnd = loadNow();
      const results = { cohort: { studies, size, files: cohort.files }, queue, cohortRuns, latency, loadAtEnd };
      return {
        title: `Jobs: queue overhead, cohort inference with 1 and 2 worker processes (${studies} synthetic studies, fixture models), mutation -> WebSocket event latency`,
        machine,
        date,
        markdown: jobsMarkdown(results),
        raw: results as unknown as Record<string, unknown>,
      };
    });
  } finally {
    await rm(modelsDir, { recursive: true, force: true });
  }
}
