// Cohort inference through the queue: one flow of per-study child jobs, run by 1..M real worker processes
// (`spinegraph worker`), timed from the flow being queued to the parent job COMPLETED.
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import type { Prisma } from '../../src/db/generated/client.js';
import { NO_JOB_EVENTS } from '../../src/services/job-events.js';
import { JobQueues } from '../../src/queue/job-queues.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { JobStore } from '../../src/services/job-store.js';
import { JobService } from '../../src/services/jobs.service.js';
import { startWorkerProcess, type WorkerProcess } from '../../tests/support/worker-process.js';
import { deleteKeys } from './redis-keys.js';

export interface CohortRun {
  readonly workers: number;
  readonly studies: number;
  readonly seconds: number;
  readonly studiesPerMinute: number;
  /** Mean of each child's startedAt -> finishedAt (the worker's time on one study, row writes included). */
  readonly meanChildMs: number;
  /** Mean of the pipeline's own wall time per study (runInference, as the child's result reports it). */
  readonly meanPipelineMs: number;
  /** Busy milliseconds per pipeline stage, mean per study. */
  readonly stagesMs: Readonly<Record<string, number>>;
}

export interface CohortArgs {
  readonly db: Database;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly studyIds: readonly string[];
  readonly modelSetId: string;
  readonly workerCounts: readonly number[];
  /** Studies of a first, untimed flow that warms every worker (model set opened, code paths compiled). */
  readonly warmupStudies: number;
  readonly log: (message: string) => void;
}

async function runFlow(
  db: Database,
  service: JobService,
  studyIds: readonly string[],
  modelSetId: string,
): Promise<{ ms: number; parentId: string }> {
  const started = performance.now();
  const parent = await service.startFlow(
    'INFERENCE',
    { modelSetId, studyCount: studyIds.length },
    studyIds.map((studyId) => ({ studyId, modelSetId })),
    { modelSetId },
  );
  for (;;) {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: parent.id }, select: { status: true } });
    if (row.status === 'COMPLETED') break;
    if (row.status === 'FAILED' || row.status === 'CANCELLED') throw new Error(`cohort job ${parent.id} ended ${row.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: performance.now() - started, parentId: parent.id };
}

async function summariseChildren(db: Database, parentId: string): Promise<Pick<CohortRun, 'meanChildMs' | 'meanPipelineMs' | 'stagesMs'>> {
  const children = await db.prisma.job.findMany({
    where: { parentId },
    select: { status: true, startedAt: true, finishedAt: true, result: true },
  });
  const failed = children.filter((c) => c.status !== 'COMPLETED');
  if (failed.length) throw new Error(`${failed.length} studies of the cohort did not complete`);
  const stages: Record<string, number> = {};
  let childMs = 0;
  let pipelineMs = 0;
  for (const c of children) {
    childMs += c.finishedAt!.getTime() - c.startedAt!.getTime();
    const r = c.result as Prisma.JsonObject & { wallMs: number; stagesMs: Record<string, number> };
    pipelineMs += r.wallMs;
    for (const [k, v] of Object.entries(r.stagesMs)) stages[k] = (stages[k] ?? 0) + v / children.length;
  }
  return { meanChildMs: childMs / children.length, meanPipelineMs: pipelineMs / children.length, stagesMs: stages };
}

export async function measureCohortThroughput(args: CohortArgs): Promise<CohortRun[]> {
  const runs: CohortRun[] = [];
  for (const count of args.workerCounts) {
    const prefix = `sgbench-${randomBytes(4).toString('hex')}`;
    const connection = createRedis(args.redisUrl, 'worker');
    const queues = new JobQueues(connection, prefix);
    const service = new JobService(new JobStore(args.db, NO_JOB_EVENTS), queues);
    const workers: WorkerProcess[] = [];
    try {
      args.log(`cohort: starting ${count} worker process(es)`);
      for (let i = 0; i < count; i++)
        workers.push(await startWorkerProcess({ databaseUrl: args.databaseUrl, redisUrl: args.redisUrl, prefix, readyTimeoutMs: 120_000 }));
      await runFlow(args.db, service, args.studyIds.slice(0, args.warmupStudies), args.modelSetId);
      const { ms, parentId } = await runFlow(args.db, service, args.studyIds, args.modelSetId);
      const run: CohortRun = {
        workers: count,
        studies: args.studyIds.length,
        seconds: ms / 1000,
        studiesPerMinute: (args.studyIds.length * 60_000) / ms,
        ...(await summariseChildren(args.db, parentId)),
      };
      args.log(
        `cohort: ${count} worker(s): ${run.studies} studies in ${run.seconds.toFixed(1)} s = ${run.studiesPerMinute.toFixed(1)} studies/min`,
      );
      runs.push(run);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await queues.close();
      connection.disconnect();
      await deleteKeys(args.redisUrl, `${prefix}:`);
    }
  }
  return runs;
}
