// Retraining end to end through the queue: GraphQL startTraining -> Redis -> an in-process worker -> tensor export
// -> the real PyTorch trainer (config tiny) as a child process -> a registered, active model set that the inference
// pipeline then runs. And a cancelled run: the child is killed and nothing is registered.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { runWorker, type RunningWorker } from '../../src/worker.js';
import { findModelSet, openModelSet } from '../../src/services/model-registry.service.js';
import { runInference } from '../../src/services/inference/run-inference.js';
import { gql } from '../support/graphql-client.js';
import { cancelJobMutation, startApi } from '../support/job-api.js';
import { createCohort, jobRow, predictionCounts, PREDICTIONS_PER_STUDY, waitFor, type Cohort } from '../support/job-cohort.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore' }).status === 0;
if (!hasTorch)
  console.warn(
    `training integration tests skipped: ${PYTHON} lacks torch/torchvision/onnx (apt-get install python3-torch python3-torchvision python3-onnx)`,
  );

const prefix = uniquePrefix();
let cohort: Cohort;
let api: RunningServer;
let worker: RunningWorker;
let dirs: string;
let dataDir: string;
let modelsDir: string;

interface Snapshot {
  status: string;
  progress: number;
  stage: string | null;
  message: string | null;
}

async function startTraining(name: string, activate: boolean): Promise<string> {
  const res = await gql<{ startTraining: { id: string } }>(
    api.api.url,
    `mutation($name: String) { startTraining(input: { config: "tiny", activate: ${activate}, name: $name }) { id } }`,
    { name },
  );
  if (res.errors?.length || !res.data) throw new Error(`startTraining failed: ${JSON.stringify(res.errors)}`);
  return res.data.startTraining.id;
}

/** Polls the job row, keeping every distinct progress state, until it ends. */
async function watch(jobId: string, timeoutMs: number): Promise<{ final: Awaited<ReturnType<typeof jobRow>>; seen: Snapshot[] }> {
  const seen: Snapshot[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await cohort.db.prisma.job.findUniqueOrThrow({
      where: { id: jobId },
      select: { status: true, progress: true, stage: true, message: true },
    });
    const last = seen.at(-1);
    if (!last || last.progress !== row.progress || last.message !== row.message || last.status !== row.status) seen.push(row);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status)) return { final: await jobRow(cohort.db, jobId), seen };
    if (Date.now() > deadline) throw new Error(`training job ${jobId} still ${row.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Pids of trainer processes started for this job (their request file lives in the job's work dir). */
function trainerPids(jobId: string): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((l) => l.includes('spinetrainer.train') && l.includes(jobId))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasTorch)('retraining through the queue (config tiny, real PyTorch trainer)', () => {
  beforeAll(async () => {
    cohort = await createCohort({ studies: 8 });
    dirs = await mkdtemp(join(tmpdir(), 'sg-training-'));
    dataDir = join(dirs, 'data');
    modelsDir = join(dirs, 'models');
    api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix });
    const config = testConfig({
      DATABASE_URL: cohort.tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      MODELS_DIR: modelsDir,
      TRAINER_PYTHON: PYTHON,
    });
    worker = await runWorker({ config, logger: silentLogger, queues: ['training'], concurrency: 1 });
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await cohort?.close();
    await deleteKeysWithPrefix(prefix);
    if (dirs) await rm(dirs, { recursive: true, force: true });
  });

  it('trains, reports progress, registers and activates a model set that inference then runs', async () => {
    const jobId = await startTraining('retrained-tiny', true);
    const { final, seen } = await watch(jobId, 540_000);
    expect(final.errorMessage).toBeNull();
    expect(final.status).toBe('COMPLETED');
    expect(final.progress).toBe(1);

    // Progress came through the job: the export stage, then the trainer's roles with an ETA, rising to 1.
    expect(seen.some((s) => s.stage === 'export')).toBe(true);
    const trainerStates = seen.filter((s) => s.stage?.startsWith('keypoints-') || s.stage?.startsWith('classifier-'));
    expect(new Set(trainerStates.map((s) => s.stage)).size).toBe(7);
    expect(trainerStates.some((s) => s.progress > 0.1 && s.progress < 0.95 && /ETA \d+m\d{2}s/.test(s.message ?? ''))).toBe(true);
    const progresses = seen.map((s) => s.progress);
    expect(progresses).toEqual([...progresses].sort((a, b) => a - b));

    const result = final.result as {
      modelSetId: string;
      name: string;
      active: boolean;
      folds: number;
      trainedFolds: number[];
      epochLosses: Record<string, number[]>;
      metrics: { cv: { keypoints: Record<string, { meanPxError: number }>; classifiers: { ensemble: { score: number } } } };
    };
    expect(result).toMatchObject({ name: 'retrained-tiny', active: true, folds: 4, trainedFolds: [0, 1, 2, 3] });
    // The loss fell: every keypoint role x fold ends its last epoch below its first (MSE on Gaussian heatmaps drops
    // steeply from the first epoch), and the mean over all classifier curves falls too.
    const curves = Object.entries(result.epochLosses);
    expect(curves).toHaveLength(7 * 4);
    for (const [key, losses] of curves.filter(([k]) => k.startsWith('keypoints-'))) {
      expect(losses.length, key).toBeGreaterThanOrEqual(2);
      expect(losses.at(-1)!, key).toBeLessThan(losses[0]);
    }
    const cls = curves.filter(([k]) => k.startsWith('classifier-')).map(([, l]) => l);
    expect(cls.reduce((a, l) => a + l.at(-1)!, 0)).toBeLessThan(cls.reduce((a, l) => a + l[0], 0));
    expect(Number.isFinite(result.metrics.cv.classifiers.ensemble.score)).toBe(true);

    // Registered: one set, active, 7 roles x 4 folds of model versions produced by this job, files on disk.
    const set = await findModelSet(cohort.db, result.modelSetId);
    expect(set).toMatchObject({ name: 'retrained-tiny', isActive: true });
    expect(await cohort.db.prisma.modelSet.count({ where: { isActive: true } })).toBe(1);
    const versions = await cohort.db.prisma.modelVersion.findMany({ where: { producedByJobId: jobId }, select: { role: true } });
    expect(versions).toHaveLength(28);
    expect(new Set(versions.map((v) => v.role)).size).toBe(7);
    const files = await readdir(join(modelsDir, 'trained', 'retrained-tiny'));
    expect(files.filter((f) => f.endsWith('.onnx'))).toHaveLength(28);
    expect(JSON.parse(await readFile(join(modelsDir, 'trained', 'retrained-tiny', 'model-set.json'), 'utf8'))).toEqual({
      name: 'retrained-tiny',
    });
    expect(existsSync(join(dataDir, 'training', jobId))).toBe(false);

    // The registered set runs in the inference pipeline and writes 25 predictions per study.
    const loaded = await openModelSet(cohort.db, set, { provider: 'cpu', threads: 1 });
    try {
      const studies = cohort.studyIds.slice(0, 2);
      const summary = await runInference(cohort.db, { studyIds: studies, modelSetId: set.id, modelSet: loaded });
      expect(summary.predictions).toBe(2 * PREDICTIONS_PER_STUDY);
      expect(Object.values(await predictionCounts(cohort.db, set.id, studies))).toEqual([PREDICTIONS_PER_STUDY, PREDICTIONS_PER_STUDY]);
      expect(summary.keypoints).toBeGreaterThan(0);
    } finally {
      await loaded.release();
    }
  }, 600_000);

  it('cancelling a running training kills the trainer and registers nothing', async () => {
    const setsBefore = await cohort.db.prisma.modelSet.count();
    const versionsBefore = await cohort.db.prisma.modelVersion.count();
    const jobId = await startTraining('cancelled-tiny', false);
    // Wait until the trainer child is running and has reported a step.
    const pids = await waitFor(
      'the trainer to run',
      async () => {
        const row = await cohort.db.prisma.job.findUniqueOrThrow({ where: { id: jobId }, select: { stage: true } });
        const p = trainerPids(jobId);
        return row.stage?.startsWith('keypoints-') && p.length ? p : undefined;
      },
      300_000,
      100,
    );
    const res = await cancelJobMutation(api, jobId);
    expect(res.errors).toBeUndefined();
    const { final } = await watch(jobId, 60_000);
    expect(final).toMatchObject({ status: 'CANCELLED', errorCode: 'JOB_CANCELLED' });
    await waitFor('the trainer to exit', async () => (pids.every((p) => !alive(p)) ? true : undefined), 20_000, 100);
    expect(trainerPids(jobId)).toEqual([]);
    expect(await cohort.db.prisma.modelSet.count()).toBe(setsBefore);
    expect(await cohort.db.prisma.modelVersion.count()).toBe(versionsBefore);
    expect(await cohort.db.prisma.modelVersion.count({ where: { producedByJobId: jobId } })).toBe(0);
    expect(existsSync(join(modelsDir, 'trained', 'cancelled-tiny'))).toBe(false);
    await waitFor('the work dir to be removed', async () => (existsSync(join(dataDir, 'training', jobId)) ? undefined : true), 10_000, 100);
  }, 600_000);
});
