import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../domain/errors.js';
import type { JobHandler } from '../job-runner.js';
import type { ProcessorDeps } from '../processors.js';

export function trainingHandler(_deps: ProcessorDeps): JobHandler {
  return async (): Promise<Prisma.InputJsonValue> => {
    throw new AppError('TRAINING_FAILED', 'Retraining is not available in this build yet');
  };
}
