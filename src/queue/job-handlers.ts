// The handler of each job kind, built once per process. BullMQ workers and the in-process runner both run these,
// so a job does the same work whichever of them schedules it.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { importHandler } from './handlers/import.handler.js';
import { inferenceHandler, ModelSetCache } from './handlers/inference.handler.js';
import { quantizeHandler } from './handlers/quantize.handler.js';
import { trainingHandler } from './handlers/training.handler.js';
import type { JobHandlerMap } from './job-runner.js';

export interface HandlerDeps {
  readonly config: Config;
  readonly db: Database;
}

export interface JobHandlers {
  readonly handlers: JobHandlerMap;
  /** Releases what the handlers keep open (ONNX sessions of the model sets used). */
  close(): Promise<void>;
}

export function createJobHandlers(deps: HandlerDeps): JobHandlers {
  const models = new ModelSetCache(deps.db, deps.config);
  return {
    handlers: {
      IMPORT: importHandler(deps.db, deps.config),
      INFERENCE: inferenceHandler(deps.db, models),
      TRAINING: trainingHandler(deps.db, deps.config),
      QUANTIZE: quantizeHandler(deps.db, deps.config),
    },
    close: () => models.close(),
  };
}
