// TRAINING jobs: the training service does the work; this maps the job context onto it (progress, cancel, logs).
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { runTrainingJob } from '../../services/training.service.js';
import type { JobHandler } from '../job-runner.js';

export function trainingHandler(db: Database, config: Config): JobHandler<'TRAINING'> {
  return {
    kind: 'TRAINING',
    run: (ctx) =>
      runTrainingJob({ db, config }, ctx.params, {
        jobId: ctx.job.id,
        signal: ctx.signal,
        report: (update) => ctx.progress.report(update),
        log: (line) => ctx.logger.debug({ jobId: ctx.job.id }, line),
      }),
  };
}
