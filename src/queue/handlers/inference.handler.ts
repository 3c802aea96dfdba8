// Cohort inference runs as a BullMQ flow: one child job per study, the parent aggregates. A study that fails
// fails only itself; the parent's result lists it.
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { AppError } from '../../domain/errors.js';
import type { LoadedModelSet } from '../../inference/model-set.js';
import { inferenceStudyResultSchema, type ParentResult } from '../../services/job-contract.js';
import { findModelSet, openModelSet } from '../../services/model-registry.service.js';
import { runInference } from '../../services/inference/run-inference.js';
import type { ChildOutcomes, JobHandler } from '../job-runner.js';

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

export function inferenceHandler(db: Database, cache: ModelSetCache): JobHandler<'INFERENCE'> {
  return {
    kind: 'INFERENCE',
    async run(ctx) {
      const { studyId, modelSetId } = ctx.params;
      const study = await db.prisma.study.findUnique({ where: { id: studyId }, select: { id: true, externalId: true } });
      // A study deleted after queueing is bad input, not a transient failure.
      if (!study) throw new AppError('NOT_FOUND', `Study ${studyId} no longer exists`);
      const modelSet = await cache.get(modelSetId);
      await ctx.progress.report({ progress: 0.05, stage: 'inference', message: `study ${study.externalId}` });
      const summary = await runInference(db, {
        studyIds: [study.id],
        modelSetId,
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
      return { studyId: study.id, externalId: study.externalId, ...summary };
    },
    aggregate: async (ctx) => aggregate(db, ctx.job.id, ctx.childOutcomes),
  };
}

async function aggregate(db: Database, parentId: string, childOutcomes: () => Promise<ChildOutcomes>): Promise<ParentResult<'INFERENCE'>> {
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
    .map((c) => ({ jobId: c.id, result: inferenceStudyResultSchema.partial().safeParse(c.result).data }))
    .filter((c) => c.result?.fallbacks && Object.keys(c.result.fallbacks).length > 0)
    .map(({ jobId, result }) => ({
      jobId,
      studyId: result?.studyId ?? null,
      externalId: result?.externalId ?? null,
      predictions: result?.predictions ?? 0,
      keypoints: result?.keypoints ?? 0,
      fallbacks: result?.fallbacks ?? {},
    }));
  return { studies: children.length, completed: children.length - failed.length, failed, withFallbacks };
}
