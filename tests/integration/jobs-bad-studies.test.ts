// Fault test: a cohort with one corrupt study (its DICOM files truncated after import) and one study deleted after
// the run was queued. Each bad study affects only itself; the others complete normally; the parent lists them.
import { truncate } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { inferenceQueueCounts, startApi, startCohortInference } from '../support/job-api.js';
import {
  childRows,
  createCohort,
  duplicateKeypoints,
  predictionCounts,
  PREDICTIONS_PER_STUDY,
  waitForTerminal,
  type Cohort,
} from '../support/job-cohort.js';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const prefix = uniquePrefix();
let cohort: Cohort;
let api: RunningServer;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  cohort = await createCohort({ studies: 4 });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix });
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await api?.stop();
  await cohort?.close();
  await deleteKeysWithPrefix(prefix);
});

/** Cuts every file of the study to its first 300 bytes: the header starts, the pixel data is gone. */
async function corruptStudyFiles(studyId: string): Promise<number> {
  const instances = await cohort.db.prisma.instance.findMany({ where: { series: { studyId } }, select: { storageUri: true } });
  for (const i of instances) await truncate(fileURLToPath(i.storageUri), 300);
  return instances.length;
}

describe('a cohort with a corrupt study and a deleted study', () => {
  it('completes the good studies, and each bad one affects only itself', async () => {
    const [goodA, goodB, corrupt, deleted] = cohort.studyIds;
    expect(await corruptStudyFiles(corrupt)).toBeGreaterThan(0);
    const parentId = await startCohortInference(api, cohort.studyIds);
    // Deleted after queueing, before any worker runs.
    await cohort.db.prisma.study.delete({ where: { id: deleted } });

    worker = await startWorkerProcess({ databaseUrl: cohort.tdb.url, redisUrl: TEST_REDIS_URL, prefix });
    const parent = await waitForTerminal(cohort.db, parentId);
    const children = new Map((await childRows(cohort.db, parentId)).map((c) => [c.studyId, c]));

    for (const id of [goodA, goodB]) expect(children.get(id)).toMatchObject({ status: 'COMPLETED', attempts: 1, errorCode: null });
    const counts = await predictionCounts(cohort.db, cohort.modelSetId, [goodA, goodB, corrupt]);
    expect(counts[goodA]).toBe(PREDICTIONS_PER_STUDY);
    expect(counts[goodB]).toBe(PREDICTIONS_PER_STUDY);
    const cleanRows = await cohort.db.prisma.prediction.count({
      where: { studyId: { in: [goodA, goodB] }, fallback: { contains: 'SLICE_LOAD_FAILED' } },
    });
    expect(cleanRows).toBe(0);

    // The corrupt study: no slice loads, so the pipeline falls back to the prevalence prior on every row, says
    // why on each, and stores no keypoint. Not an error: the study completes with 25 flagged rows.
    expect(children.get(corrupt)).toMatchObject({ status: 'COMPLETED', attempts: 1, errorCode: null });
    expect(counts[corrupt]).toBe(PREDICTIONS_PER_STUDY);
    const corruptRows = await cohort.db.prisma.prediction.findMany({ where: { studyId: corrupt } });
    for (const row of corruptRows) expect(row.fallback).toMatch(/prevalence prior: SLICE_LOAD_FAILED: .*not a readable DICOM file/);
    expect(await cohort.db.prisma.keypoint.count({ where: { studyId: corrupt } })).toBe(0);

    // The deleted study fails alone, as bad input: not retried.
    const deletedChild = children.get(deleted)!;
    expect(deletedChild).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'NOT_FOUND' });

    // The parent completes and lists the outcome of each study that did not simply succeed.
    expect(parent.status).toBe('COMPLETED');
    expect(parent.progress).toBe(1);
    const result = parent.result as {
      studies: number;
      completed: number;
      failed: unknown[];
      withFallbacks: { studyId: string; keypoints: number; fallbacks: Record<string, number> }[];
    };
    expect(result).toMatchObject({ studies: 4, completed: 3 });
    expect(result.failed).toEqual([
      {
        jobId: deletedChild.id,
        studyId: deleted,
        status: 'FAILED',
        code: 'NOT_FOUND',
        message: expect.stringContaining('no longer exists'),
      },
    ]);
    const corruptOutcome = result.withFallbacks.find((f) => f.studyId === corrupt);
    expect(corruptOutcome).toMatchObject({
      keypoints: 0,
      predictions: PREDICTIONS_PER_STUDY,
      fallbacks: { SLICE_LOAD_FAILED: PREDICTIONS_PER_STUDY },
    });
    for (const f of result.withFallbacks.filter((f) => f.studyId !== corrupt)) expect(f.fallbacks.SLICE_LOAD_FAILED).toBeUndefined();
    expect(await duplicateKeypoints(cohort.db, cohort.modelSetId)).toEqual([]);
    expect(await inferenceQueueCounts(TEST_REDIS_URL, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  }, 150_000);
});
