// TRAINING jobs: the training service does the work; this maps the job context onto it (progress, cancel, logs).
import type { Prisma } from '../../db/generated/client.js';
import { runTrainingJob } from '../../services/training.service.js';
import type { JobHandler } from '../job-runner.js';
import type { ProcessorDeps } from '../processors.js';

export function trainingHandler(deps: ProcessorDeps): JobHandler {
  return async (ctx): Promise<Prisma.InputJsonValue> => {
    const result = await runTrainingJob({ db: deps.db, config: deps.config }, ctx.job.params, {
      jobId: ctx.job.id,
      signal: ctx.signal,
      report: (update) => ctx.progress.report(update),
      log: (line) => ctx.logger.debug({ jobId: ctx.job.id }, line),
    });
    return { ...result, epochLosses: result.epochLosses as Prisma.InputJsonValue };
  };
}
