// Fault test: a cohort with one corrupt study (its DICOM files truncated after a first run) and one study deleted
// after the second run was queued. Each bad study affects only itself: the corrupt one ends FAILED with its reason
// and keeps the first run's predictions and keypoints; the others complete normally; the parent lists both failures.
// Redis and PostgreSQL are private instances this test starts, like the other fault tests'.
import { truncate } from 'node:fs/promises';
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
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { uniquePrefix } from '../support/test-redis.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { resolveStorageUri } from '../../src/services/storage/storage-uri.js';

const prefix = uniquePrefix();
let redis: PrivateRedis;
let postgres: PrivatePostgres;
let cohort: Cohort;
let api: RunningServer;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  cohort = await createCohort({ studies: 4, adminUrl: postgres.adminUrl });
  api = await startApi({ db: cohort.db, databaseUrl: cohort.tdb.url, prefix, redisUrl: redis.url });
}, 180_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await api?.stop();
  await cohort?.close().catch(() => undefined);
  await Promise.all([postgres?.close(), redis?.close()]);
});

/** Cuts every file of the study to its first 300 bytes: the header starts, the pixel data is gone. */
async function corruptStudyFiles(studyId: string): Promise<number> {
  const instances = await cohort.db.prisma.instance.findMany({ where: { series: { studyId } }, select: { storageUri: true } });
  for (const i of instances) await truncate(await resolveStorageUri(cohort.db, i.storageUri), 300);
  return instances.length;
}

describe('a cohort with a corrupt study and a deleted study', () => {
  it('completes the good studies; the corrupt one fails with its reason and keeps its earlier results', async () => {
    const [goodA, goodB, corrupt, deleted] = cohort.studyIds;
    worker = await startWorkerProcess({ databaseUrl: cohort.tdb.url, redisUrl: redis.url, prefix });
    // A first run while every file is readable: the corrupt study's earlier predictions and keypoints.
    const first = await waitForTerminal(cohort.db, await startCohortInference(api, cohort.studyIds));
    expect(first.status).toBe('COMPLETED');
    const before = {
      predictions: await cohort.db.prisma.prediction.findMany({
        where: { studyId: corrupt },
        orderBy: [{ condition: 'asc' }, { level: 'asc' }],
      }),
      keypoints: await cohort.db.prisma.keypoint.findMany({ where: { studyId: corrupt }, orderBy: { id: 'asc' } }),
    };
    expect(before.predictions).toHaveLength(PREDICTIONS_PER_STUDY);
    expect(before.keypoints.length).toBeGreaterThan(0);

    expect(await corruptStudyFiles(corrupt)).toBeGreaterThan(0);
    const parentId = await startCohortInference(api, cohort.studyIds);
    // Deleted right after queueing; whether a worker has reached it or not, it no longer exists when its turn comes.
    await cohort.db.prisma.study.delete({ where: { id: deleted } });
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

    // The corrupt study: no image readable, so it fails (as bad input: not retried) with the reason, naming
    // instances, never file paths; what the first run stored is kept, row for row.
    const corruptChild = children.get(corrupt)!;
    expect(corruptChild).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'INVALID_DICOM' });
    expect(corruptChild.errorMessage).toMatch(
      /none of its images could be read; earlier results kept \(.*SLICE_LOAD_FAILED.*instance \d+: not a readable DICOM file/,
    );
    expect(corruptChild.errorMessage).not.toContain(cohort.dataDir);
    expect(
      await cohort.db.prisma.prediction.findMany({ where: { studyId: corrupt }, orderBy: [{ condition: 'asc' }, { level: 'asc' }] }),
    ).toEqual(before.predictions);
    expect(await cohort.db.prisma.keypoint.findMany({ where: { studyId: corrupt }, orderBy: { id: 'asc' } })).toEqual(before.keypoints);

    // The deleted study fails alone, as bad input: not retried.
    const deletedChild = children.get(deleted)!;
    expect(deletedChild).toMatchObject({ status: 'FAILED', attempts: 1, errorCode: 'NOT_FOUND' });

    // The parent completes and lists both in `failed`, with their reasons.
    expect(parent.status).toBe('COMPLETED');
    expect(parent.progress).toBe(1);
    const result = parent.result as { studies: number; completed: number; failed: { studyId: string }[]; withFallbacks: unknown[] };
    expect(result).toMatchObject({ studies: 4, completed: 2 });
    expect(new Set(result.failed.map((f) => f.studyId))).toEqual(new Set([corrupt, deleted]));
    expect(result.failed).toContainEqual({
      jobId: corruptChild.id,
      studyId: corrupt,
      status: 'FAILED',
      code: 'INVALID_DICOM',
      message: corruptChild.errorMessage,
    });
    expect(result.failed).toContainEqual({
      jobId: deletedChild.id,
      studyId: deleted,
      status: 'FAILED',
      code: 'NOT_FOUND',
      message: expect.stringContaining('no longer exists'),
    });
    expect(await duplicateKeypoints(cohort.db, cohort.modelSetId)).toEqual([]);
    expect(await cohort.db.prisma.job.count({ where: { status: { in: ['QUEUED', 'RUNNING'] } } })).toBe(0);
    expect(await inferenceQueueCounts(redis.url, prefix)).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
  }, 240_000);
});
