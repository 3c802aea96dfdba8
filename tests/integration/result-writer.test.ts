// The inference result writer: one statement per study (no Prisma transaction and so no 5 s transaction limit),
// idempotent, replacing only the model's keypoints; and runInference turning a failed write into its own
// rejection rather than an unhandled one while later batches still run.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/domain/errors.js';
import { CONDITIONS, LEVELS } from '../../src/domain/vocabulary.js';
import type { PredictionRow, StudyKeypoint, StudyResult } from '../../src/inference/types.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { runInference } from '../../src/services/inference/run-inference.js';
import { openModelSet } from '../../src/services/model-registry.service.js';
import { createCohortFixture, type CohortFixture } from '../support/cohort-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

function predictions(shift: number): PredictionRow[] {
  return CONDITIONS.flatMap((condition, c) =>
    LEVELS.map((level, l) => {
      const severe = ((c * 5 + l + shift) % 7) / 20;
      return { condition, level, normalMild: 1 - severe - 0.1, moderate: 0.1, severe, fallbackCodes: [], modelsUsed: 1, modelsExpected: 1 };
    }),
  );
}

function keypoint(seriesId: string, i: number): StudyKeypoint {
  return {
    role: 'keypoints-sagittal-t2',
    level: LEVELS[i % LEVELS.length] as StudyKeypoint['level'],
    side: 'NONE',
    seriesType: 'SAGITTAL_T2_STIR',
    seriesId,
    sopInstanceUid: `1.2.3.${i}`,
    instanceNumber: undefined,
    instanceId: undefined,
    pixel: { x: 10 + i, y: 20 + i },
    patientMm: [i, 2 * i, 3 * i],
    score: 0.5 + i / 100,
  };
}

function result(studyId: string, seriesId: string, shift: number, keypoints: number): StudyResult {
  return {
    studyId,
    predictions: predictions(shift),
    keypoints: Array.from({ length: keypoints }, (_, i) => keypoint(seriesId, i + shift)),
    missingKeypoints: [],
    warnings: [],
    timings: { stagesMs: {}, wallMs: 0, studiesInBatch: 1 },
  };
}

describe('writeStudyResult', () => {
  let t: TestDatabase;
  let cohort: CohortFixture;
  let studyId: string;
  let seriesId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    cohort = await createCohortFixture(t.db, { studies: 3, seed: 515, size: 64 });
    const series = await t.db.prisma.series.findFirstOrThrow({ orderBy: { id: 'asc' } });
    studyId = series.studyId;
    seriesId = series.id;
  }, 180_000);
  afterAll(async () => {
    await cohort?.cleanup();
    await t?.drop();
  });

  it('upserts 25 predictions and replaces the model keypoints of that study and set, leaving manual ones', async () => {
    const setId = cohort.modelSet.id;
    await t.db.prisma.keypoint.create({
      data: {
        studyId,
        seriesId,
        level: 'L1_L2',
        role: 'manual',
        pixelX: 1,
        pixelY: 2,
        patientX: 0,
        patientY: 0,
        patientZ: 0,
        source: 'MANUAL',
      },
    });
    await writeStudyResult(t.db, result(studyId, seriesId, 0, 5), setId, null);
    await writeStudyResult(t.db, result(studyId, seriesId, 3, 2), setId, null);
    const rows = await t.db.prisma.prediction.findMany({ where: { studyId, modelSetId: setId } });
    expect(rows).toHaveLength(25);
    const want = new Map(predictions(3).map((p) => [`${p.condition}|${p.level}`, p]));
    for (const r of rows) {
      const p = want.get(`${r.condition}|${r.level}`);
      expect(r.severe).toBeCloseTo(p?.severe ?? NaN, 12);
      expect(r.severity).toBe((p?.severe ?? 0) > (p?.normalMild ?? 0) ? 'SEVERE' : 'NORMAL_MILD');
    }
    const model = await t.db.prisma.keypoint.findMany({ where: { studyId, source: 'MODEL' }, orderBy: { pixelX: 'asc' } });
    expect(model.map((k) => [k.pixelX, k.patientZ, k.score, k.modelSetId])).toEqual([
      [13, 9, 0.53, setId],
      [14, 12, 0.54, setId],
    ]);
    expect(await t.db.prisma.keypoint.count({ where: { studyId, source: 'MANUAL' } })).toBe(1);
  });

  it('waits for a lock held longer than the 5 s a Prisma transaction is given, then writes', async () => {
    const setId = cohort.modelSet.id;
    // Another session holds the study's prediction rows for 6.5 s.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "Prediction" WHERE "studyId" = $1::uuid FOR UPDATE`, [studyId]);
      const outcome = writeStudyResult(t.db, result(studyId, seriesId, 5, 4), setId, null).then(
        () => 'written',
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 6500));
      await blocker.query('COMMIT');
      expect(await outcome).toBe('written');
    } finally {
      await blocker.end();
    }
    expect(await t.db.prisma.keypoint.count({ where: { studyId, source: 'MODEL', modelSetId: setId } })).toBe(4);
    const row = await t.db.prisma.prediction.findFirstOrThrow({
      where: { studyId, modelSetId: setId, condition: CONDITIONS[0], level: LEVELS[0] },
    });
    expect(row.severe).toBeCloseTo(predictions(5)[0]?.severe ?? NaN, 12);
  }, 30_000);

  it('runInference rejects with the write failure (no unhandled rejection) when a write fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => {
      unhandled.push(e);
    };
    process.on('unhandledRejection', onUnhandled);
    const loaded = await openModelSet(t.db, cohort.modelSet, { provider: 'cpu', threads: 1 });
    try {
      const studyIds = (await t.db.prisma.study.findMany({ select: { id: true } })).map((s) => s.id);
      // A model set id with no row: every write violates the foreign key, the pipeline itself works.
      const missingSet = '00000000-0000-4000-8000-000000000000';
      const error = await runInference(t.db, { studyIds, modelSetId: missingSet, modelSet: loaded, pipeline: { studiesPerBatch: 1 } }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isAppError(error)).toBe(true);
      if (!isAppError(error)) return;
      expect(error.code).toBe('SERVICE_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/^writing inference results failed: /);
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
      expect(await t.db.prisma.prediction.count({ where: { modelSetId: missingSet } })).toBe(0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await loaded.release();
    }
  }, 120_000);
});
