// Cohort inference runs as a BullMQ flow: one child job per study, the parent aggregates. A study that fails
// fails only itself; the parent's result lists it.
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Prisma } from '../../db/generated/client.js';
import { AppError, badInput } from '../../domain/errors.js';
import type { LoadedModelSet } from '../../inference/model-set.js';
import { findModelSet, openModelSet } from '../../services/model-registry.service.js';
import { runInference } from '../../services/inference/run-inference.js';
import type { JobHandler } from '../job-runner.js';

export const inferenceStudyParamsSchema = z.object({ studyId: z.string().uuid(), modelSetId: z.string().uuid() });
export const inferenceCohortParamsSchema = z.object({ modelSetId: z.string().uuid(), studyCount: z.number().int().min(1) });

/** Opened model sets are kept per worker process: ONNX session creation costs 0.1-0.4 s per model. */
export class ModelSetCache {
  private readonly sets = new Map<string, Promise<LoadedModelSet>>();
  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  get(modelSetId: string): Promise<LoadedModelSet> {
    let set = this.sets.get(modelSetId);
    if (!set) {
      set = findModelSet(this.db, modelSetId).then((row) => openModelSet(this.db, row, this.config.inference));
      set.catch(() => this.sets.delete(modelSetId));
      this.sets.set(modelSetId, set);
    }
    return set;
  }

  async close(): Promise<void> {
    const sets = await Promise.allSettled(this.sets.values());
    for (const s of sets) if (s.status === 'fulfilled') await s.value.release();
    this.sets.clear();
  }
}

export function inferenceHandler(db: Database, cache: ModelSetCache): JobHandler {
  return async (ctx) => {
    if (ctx.job.parentId === null && inferenceCohortParamsSchema.safeParse(ctx.job.params).success)
      return aggregate(db, ctx.job.id, ctx.childOutcomes);
    const params = inferenceStudyParamsSchema.safeParse(ctx.job.params);
    if (!params.success) throw badInput(`Inference job parameters are invalid: ${params.error.message}`);
    const study = await db.prisma.study.findUnique({ where: { id: params.data.studyId }, select: { id: true, externalId: true } });
    // A study deleted after queueing is bad input, not a transient failure.
    if (!study) throw new AppError('NOT_FOUND', `Study ${params.data.studyId} no longer exists`);
    const modelSet = await cache.get(params.data.modelSetId);
    await ctx.progress.report({ progress: 0.05, stage: 'inference', message: `study ${study.externalId}` });
    const summary = await runInference(db, {
      studyIds: [study.id],
      modelSetId: params.data.modelSetId,
      modelSet,
      jobId: ctx.job.parentId ?? ctx.job.id,
      signal: ctx.signal,
    });
    // Every file unreadable: the study fails with the reason, and what an earlier run stored stays as it was.
    const unreadable = summary.unreadable.find((u) => u.studyId === study.id);
    if (unreadable)
      throw new AppError(
        'INVALID_DICOM',
        `Study ${study.externalId}: none of its images could be read; earlier results kept (${unreadable.reason})`,
      );
    return { studyId: study.id, externalId: study.externalId, ...summary } as unknown as Prisma.InputJsonValue;
  };
}

async function aggregate(
  db: Database,
  parentId: string,
  childOutcomes: () => Promise<{ completed: ReadonlyMap<string, unknown>; failed: ReadonlyMap<string, string> }>,
): Promise<Prisma.InputJsonValue> {
  const outcomes = await childOutcomes();
  const children = await db.prisma.job.findMany({
    where: { parentId },
    select: { id: true, status: true, params: true, result: true, errorCode: true, errorMessage: true },
  });
  const failed = children
    .filter((c) => c.status !== 'COMPLETED')
    .map((c) => ({
      jobId: c.id,
      studyId: (c.params as { studyId?: string }).studyId ?? null,
      status: c.status,
      code: c.errorCode,
      message: c.errorMessage ?? outcomes.failed.get(c.id) ?? null,
    }));
  // Completed studies whose rows came (partly) from documented fallbacks, e.g. unreadable slices: listed so a
  // researcher finds them without opening every child.
  const withFallbacks = children
    .filter((c) => c.status === 'COMPLETED')
    .map((c) => ({
      jobId: c.id,
      result: c.result as {
        studyId?: string;
        externalId?: string;
        predictions?: number;
        keypoints?: number;
        fallbacks?: Record<string, number>;
      } | null,
    }))
    .filter((c) => c.result?.fallbacks && Object.keys(c.result.fallbacks).length > 0)
    .map(({ jobId, result }) => ({
      jobId,
      studyId: result?.studyId ?? null,
      externalId: result?.externalId ?? null,
      predictions: result?.predictions ?? 0,
      keypoints: result?.keypoints ?? 0,
      fallbacks: result?.fallbacks ?? {},
    }));
  return {
    studies: children.length,
    completed: children.length - failed.length,
    failed,
    withFallbacks,
  } as unknown as Prisma.InputJsonValue;
}
