// One contract per job kind: the parameters a Job row stores and the result it ends with, as zod schemas. The use
// cases that start jobs (JobService.start / startFlow, typed by kind), the worker's runner (which parses the
// parameters before a handler sees them and checks the result before storing it) and the handlers all use these,
// so a parameter cannot be written in one shape and read in another. A kind that runs as a flow (one parent, a
// child per item) has a second pair for its parent; the role travels explicitly in the queue payload.
import { z } from 'zod';
import { badInput, AppError } from '../domain/errors.js';
import type { JobKind, JobRole } from '../domain/job.js';
import { TRAINING_CONFIGS } from '../domain/training.js';
import { dicomwebPullParamsSchema } from './dicomweb/pull-params.js';

const uuid = z.string().uuid();
const count = z.number().int().min(0);
const counted = z.object({ added: count, total: count });
const byCode = z.record(z.string(), z.number());

/** IMPORT: a folder inside the data roots (confined by the mutation, and again by the worker), or a DICOMweb pull. */
export const importFolderParamsSchema = z.object({ path: z.string().min(1), projectId: uuid });
export const importParamsSchema = z.union([importFolderParamsSchema, dicomwebPullParamsSchema]);
/** A pull's own account, beside the import's (services/dicomweb/pull-studies.ts PullSummary). */
const pullSummarySchema = z.object({
  source: z.string(),
  studies: count,
  instances: z.object({ listed: count, alreadyPresent: count, fetched: count, failed: count }),
  bytesFetched: count,
  transferSyntaxes: byCode,
  linkedUids: count,
});
export const importResultSchema = z.object({
  layout: z.string(),
  files: count,
  skippedKnownFiles: count,
  bytes: count,
  studies: counted,
  series: counted,
  instances: counted,
  labels: count,
  coordinates: count,
  failures: z.array(z.object({ path: z.string(), code: z.string(), reason: z.string() })).readonly(),
  durationMs: z.number(),
  pull: pullSummarySchema.optional(),
});

/** INFERENCE, one study (a child of the cohort job). */
export const inferenceStudyParamsSchema = z.object({ studyId: uuid, modelSetId: uuid });
export const inferenceStudyResultSchema = z.object({
  studyId: uuid,
  externalId: z.string(),
  studies: count,
  predictions: count,
  keypoints: count,
  /** Rows produced by a fallback, by reason code. */
  fallbacks: byCode,
  stagesMs: byCode,
  wallMs: z.number(),
});

/** INFERENCE, the cohort (the flow's parent): aggregates its children once they have all finished. */
export const inferenceCohortParamsSchema = z.object({ modelSetId: uuid, studyCount: z.number().int().min(1) });
export const inferenceCohortResultSchema = z.object({
  studies: count,
  completed: count,
  failed: z.array(
    z.object({
      jobId: uuid,
      studyId: uuid.nullable(),
      status: z.string(),
      code: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
  /** Completed studies whose rows came (partly) from documented fallbacks. */
  withFallbacks: z.array(
    z.object({
      jobId: uuid,
      studyId: z.string().nullable(),
      externalId: z.string().nullable(),
      predictions: count,
      keypoints: count,
      fallbacks: byCode,
    }),
  ),
});

/** TRAINING: what startTraining stores, plus optional knobs for scripts and tests. */
export const trainingParamsSchema = z.object({
  config: z.enum(TRAINING_CONFIGS),
  studyIds: z.array(uuid).min(2),
  activate: z.boolean().default(false),
  name: z.string().min(1).max(100).nullable().default(null),
  seed: z.number().int().min(0).default(0),
  /** Fold count (default 5, fewer for small cohorts, at least 2: a fold trains on the others) and the validation
   * folds to train (default all). */
  folds: z.number().int().min(2).max(10).optional(),
  trainFolds: z.array(z.number().int().min(0)).min(1).optional(),
  epochs: z.number().int().min(1).optional(),
});
export const trainingResultSchema = z.object({
  modelSetId: uuid,
  name: z.string(),
  created: z.boolean(),
  active: z.boolean(),
  directory: z.string(),
  studies: count,
  folds: count,
  trainedFolds: z.array(count).readonly(),
  durationS: z.number(),
  /** Train-loss per epoch, by "role/fold": the learning curve the trainer reported. */
  epochLosses: z.record(z.string(), z.array(z.number()).readonly()),
  /** Cross-validation metrics and provenance, as registered with the model set. */
  metrics: z.record(z.string(), z.unknown()),
});

/** QUANTIZE: the float set, the new set's name and the calibration studies the caller may read (in that order). */
export const quantizeParamsSchema = z.object({
  modelSetId: uuid,
  name: z.string().min(1).max(64),
  studyIds: z.array(uuid).min(1),
});
const quantizationCheckSchema = z.object({ samples: count, maxAbsDiff: z.number(), meanAbsDiff: z.number(), floatOutputRange: z.number() });
export const quantizeResultSchema = z.object({
  modelSetId: uuid,
  name: z.string(),
  sourceSet: z.string(),
  directory: z.string(),
  calibrationStudies: count,
  durationS: z.number(),
  /** Per model: what was rewritten as int8 (by operator), what stayed float, and its outputs against the float model's. */
  models: z.array(
    z.object({
      model: z.string(),
      role: z.string(),
      scheme: z.string(),
      calibrationSamples: count,
      quantizedLayers: byCode,
      keptFloat: z.array(z.string()).readonly(),
      check: quantizationCheckSchema,
    }),
  ),
});

interface Contract {
  readonly label: string;
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly parent?: { readonly params: z.ZodType; readonly result: z.ZodType };
}

export const JOB_CONTRACTS = {
  IMPORT: { label: 'Import job', params: importParamsSchema, result: importResultSchema },
  INFERENCE: {
    label: 'Inference job',
    params: inferenceStudyParamsSchema,
    result: inferenceStudyResultSchema,
    parent: { params: inferenceCohortParamsSchema, result: inferenceCohortResultSchema },
  },
  TRAINING: { label: 'Training', params: trainingParamsSchema, result: trainingResultSchema },
  QUANTIZE: { label: 'Quantization', params: quantizeParamsSchema, result: quantizeResultSchema },
} as const satisfies Record<JobKind, Contract>;

type Contracts = typeof JOB_CONTRACTS;
/** The kinds that run as a flow: a parent job and one child per item. */
export type FlowKind = { [K in JobKind]: Contracts[K] extends { parent: object } ? K : never }[JobKind];

/** Parameters as a caller gives them (defaults not yet applied) and as a handler reads them. */
export type JobParamsInput<K extends JobKind> = z.input<Contracts[K]['params']>;
export type JobParams<K extends JobKind> = z.output<Contracts[K]['params']>;
export type JobResult<K extends JobKind> = z.input<Contracts[K]['result']>;
export type ParentParamsInput<K extends FlowKind> = z.input<Contracts[K]['parent']['params']>;
export type ParentParams<K extends FlowKind> = z.output<Contracts[K]['parent']['params']>;
export type ParentResult<K extends FlowKind> = z.input<Contracts[K]['parent']['result']>;

function schemasOf(kind: JobKind, role: JobRole): { label: string; params: z.ZodType; result: z.ZodType } {
  const contract: Contract = JOB_CONTRACTS[kind];
  if (role !== 'parent') return contract;
  if (!contract.parent) throw badInput(`${kind} jobs do not run as a flow, so none is a parent`);
  return { label: `${contract.label} (cohort)`, ...contract.parent };
}

/** Parameters read back from a Job row: BAD_USER_INPUT (not retried) when they do not fit the contract. */
export function parseJobParams<K extends JobKind>(kind: K, role: 'single' | 'child', raw: unknown): JobParams<K>;
export function parseJobParams(kind: JobKind, role: JobRole, raw: unknown): unknown;
export function parseJobParams(kind: JobKind, role: JobRole, raw: unknown): unknown {
  const { label, params } = schemasOf(kind, role);
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw badInput(`${label} parameters are invalid: ${parsed.error.message}`);
  return parsed.data;
}

/** Parameters about to be stored: a mismatch is this server's own bug, never the caller's. */
export function checkJobParams(kind: JobKind, role: JobRole, params: unknown): void {
  const { label, params: schema } = schemasOf(kind, role);
  const parsed = schema.safeParse(params);
  if (!parsed.success)
    throw new AppError('INTERNAL_SERVER_ERROR', `${label} parameters do not fit the job contract: ${parsed.error.message}`);
}

/** A handler's result before it is stored: a mismatch is this server's own bug (and is not retried). */
export function checkJobResult(kind: JobKind, role: JobRole, result: unknown): void {
  const { label, result: schema } = schemasOf(kind, role);
  const parsed = schema.safeParse(result);
  if (!parsed.success)
    throw new AppError('INTERNAL_SERVER_ERROR', `${label} result does not fit the job contract: ${parsed.error.message}`);
}
