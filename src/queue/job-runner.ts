// Wraps a job handler into a BullMQ processor that keeps the Job row in step: RUNNING, progress, COMPLETED,
// retry, FAILED or CANCELLED. Bad input (a non-retryable AppError) is not retried; transient errors are. A database
// outage is neither: the attempt waits for the database and resumes (database-wait.ts); only a row that the
// database says does not exist is "no record". The attempt reads the parameters with the kind's contract before the
// handler sees them, checks the result against it, and is the one place a result becomes the row's JSON.
import { UnrecoverableError, type Job as BullJob } from 'bullmq';
import type { Prisma } from '../db/generated/client.js';
import { AppError, isAppError } from '../domain/errors.js';
import type { JobKind, JobRole, ProgressReporter } from '../domain/job.js';
import { TERMINAL_STATUSES } from '../domain/job.js';
import type { Logger } from '../logger.js';
import {
  checkJobResult,
  parseJobParams,
  type FlowKind,
  type JobParams,
  type JobResult,
  type ParentParams,
  type ParentResult,
} from '../services/job-contract.js';
import type { JobRow, JobStore } from '../services/job-store.js';
import { queuePayloadSchema } from './job-payload.js';
import type { QueueProcessor } from './worker-host.js';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { untilDatabaseAnswers } from './database-wait.js';

export interface ChildOutcomes {
  readonly completed: ReadonlyMap<string, unknown>;
  readonly failed: ReadonlyMap<string, string>;
}

export interface JobContext<P> {
  readonly job: JobRow;
  /** The row's parameters, read with the contract of its kind and role (defaults applied). */
  readonly params: P;
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  readonly logger: Logger;
}

export interface ParentContext<P> extends JobContext<P> {
  /** Its children's results and failures, by Job row id. */
  childOutcomes(): Promise<ChildOutcomes>;
}

/** The work of one kind: `run` for a job on its own or a flow's child, `aggregate` for a flow's parent. */
export interface JobHandler<K extends JobKind> {
  readonly kind: K;
  run(ctx: JobContext<JobParams<K>>): Promise<JobResult<K>>;
  aggregate?: K extends FlowKind ? (ctx: ParentContext<ParentParams<K>>) => Promise<ParentResult<K>> : never;
}

/** The handler of every kind, each typed by its own. */
export type JobHandlerMap = { readonly [K in JobKind]: JobHandler<K> };
export type AnyJobHandler = JobHandlerMap[JobKind];

/** The one conversion of a checked result into the row's JSON column. */
const toJson = (result: unknown): Prisma.InputJsonValue => result as Prisma.InputJsonValue;

export function cancelledError(): AppError {
  return new AppError('JOB_CANCELLED', 'The job was cancelled');
}

/** One attempt of a job, whoever schedules it (a BullMQ worker or the in-process runner). */
export interface JobAttempt {
  readonly jobId: string;
  readonly kind: JobKind;
  /** A job on its own, or a flow's parent or child: which contract its parameters follow, which step runs. */
  readonly role: JobRole;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly signal: AbortSignal;
  readonly childOutcomes: () => Promise<ChildOutcomes>;
  /** How long one database outage may last before the attempt gives up (default 10 minutes). */
  readonly maxDatabaseWaitMs?: number;
}

export type AttemptOutcome =
  | { readonly kind: 'completed'; readonly result: unknown }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'retry'; readonly error: unknown }
  | { readonly kind: 'failed'; readonly error: unknown; readonly message: string; readonly retryable: boolean }
  | { readonly kind: 'missing' };

/**
 * Runs one attempt and keeps the Job row in step: RUNNING, progress, then COMPLETED, QUEUED for a retry, FAILED or
 * CANCELLED, each with its event. Never throws for the job's own failure: the outcome says what happened.
 */
export async function executeJobAttempt(store: JobStore, handler: AnyJobHandler, logger: Logger, run: JobAttempt): Promise<AttemptOutcome> {
  const { jobId, kind, role, attempt, maxAttempts, signal } = run;
  if (kind !== handler.kind) throw new AppError('BAD_USER_INPUT', `Job ${jobId} is ${kind}, given to the handler of ${handler.kind} jobs`);
  const waitOptions = { logger: logger.child({ jobId }), signal, maxWaitMs: run.maxDatabaseWaitMs };
  const db = <T>(what: string, fn: () => Promise<T>): Promise<T> => untilDatabaseAnswers(what, fn, waitOptions);
  const existing = await db('read the job', () => store.get(jobId)).catch((e: unknown) => {
    if (isAppError(e) && e.code === 'NOT_FOUND') return null;
    throw e;
  });
  if (!existing) return { kind: 'missing' };
  // A job cancelled while queued, or finished by a worker that died before acknowledging it, is not run again.
  if (TERMINAL_STATUSES.includes(existing.status)) return { kind: 'completed', result: existing.result ?? null };

  // A cohort parent is RUNNING since its first child started; its own (aggregation) step keeps that start time.
  const parentAlreadyRunning =
    existing.status === 'RUNNING' &&
    existing.startedAt !== null &&
    existing.parentId === null &&
    (await db('count children', () => store.childCounts(jobId))).total > 0;
  const job = parentAlreadyRunning ? existing : await db('mark running', () => store.markRunning(jobId, attempt));
  const parentId = job.parentId;
  if (parentId) await db('mark the parent running', () => markParentRunning(store, parentId));
  const log = logger.child({ jobId, kind: job.kind, attempt });
  // One progress write at a time, in the order reported: handlers report without awaiting (throttled, per file),
  // and two writes in flight could land, and be published, in the wrong order (a bar going backwards), or a late one
  // after the job's completion.
  let reported: Promise<void> = Promise.resolve();
  const progress: ProgressReporter = {
    report: (update) => {
      if (signal.aborted) return Promise.reject(cancelledError());
      const write = reported.then(async (): Promise<void> => {
        // Progress is not worth failing for: lost during an outage, the next report carries it.
        await store.progress(jobId, update).catch((e: unknown) => {
          if (!isDatabaseUnavailable(e)) throw e;
        });
      });
      reported = write.catch(() => undefined);
      return write;
    },
  };
  try {
    // Handlers are idempotent (upserts keyed by study and model set): after an outage that cut one short, it runs again.
    const ctx = { job, params: parseJobParams(kind, role, job.params), attempt, signal, progress, logger: log };
    const result = await db('run the job', () => runRole(handler, role, { ...ctx, childOutcomes: run.childOutcomes }));
    if (signal.aborted) throw cancelledError();
    checkJobResult(kind, role, result);
    await reported;
    await db('store the result', () => store.complete(jobId, toJson(result)));
    if (parentId) await db('update the parent', () => updateParentProgress(store, parentId));
    return { kind: 'completed', result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (signal.aborted || (isAppError(error) && error.code === 'JOB_CANCELLED')) {
      await db('cancel', () => store.cancel(jobId));
      if (parentId) await db('update the parent', () => updateParentProgress(store, parentId));
      return { kind: 'cancelled' };
    }
    const retryable = isAppError(error) ? error.retryable : true;
    if (retryable && attempt < maxAttempts) {
      log.warn({ err: message }, 'job attempt failed; will retry');
      await db('record the retry', () => store.willRetry(jobId, message, attempt, maxAttempts));
      return { kind: 'retry', error };
    }
    log.warn({ err: message }, 'job failed');
    await db('record the failure', () => store.fail(jobId, isAppError(error) ? error.code : 'INTERNAL_SERVER_ERROR', message));
    if (parentId) await db('update the parent', () => updateParentProgress(store, parentId));
    return { kind: 'failed', error, message, retryable };
  }
}

export function createJobProcessor(store: JobStore, handler: AnyJobHandler, logger: Logger): QueueProcessor {
  return async (bullJob: BullJob, signal: AbortSignal) => {
    const payload = queuePayloadSchema.safeParse(bullJob.data);
    if (!payload.success) throw new UnrecoverableError(`Malformed job payload: ${payload.error.message}`);
    const { jobId, kind, role } = payload.data;
    if (kind !== handler.kind) throw new UnrecoverableError(`Job ${jobId} is ${kind}, on the queue of ${handler.kind} jobs`);
    const outcome = await executeJobAttempt(store, handler, logger, {
      jobId,
      kind,
      role,
      attempt: bullJob.attemptsMade + 1,
      maxAttempts: bullJob.opts.attempts ?? 1,
      signal,
      childOutcomes: () => readChildOutcomes(bullJob),
    });
    switch (outcome.kind) {
      case 'missing':
        throw new UnrecoverableError(`Job ${jobId} has no record: its Job row does not exist`);
      case 'completed':
        return outcome.result;
      case 'cancelled':
        throw new UnrecoverableError('cancelled');
      case 'retry':
        throw outcome.error;
      case 'failed':
        throw outcome.retryable ? outcome.error : new UnrecoverableError(outcome.message);
    }
  };
}

/** The handler's step for this role; the parameters were parsed with the contract of the same kind and role. */
function runRole(handler: AnyJobHandler, role: JobRole, ctx: ParentContext<unknown>): Promise<unknown> {
  const steps = handler as {
    run(ctx: JobContext<unknown>): Promise<unknown>;
    aggregate?: (ctx: ParentContext<unknown>) => Promise<unknown>;
  };
  if (role !== 'parent') return steps.run(ctx);
  if (!steps.aggregate) throw new AppError('BAD_USER_INPUT', `${handler.kind} jobs do not run as a flow, so none is a parent`);
  return steps.aggregate(ctx);
}

async function readChildOutcomes(bullJob: BullJob): Promise<ChildOutcomes> {
  const values = (await bullJob.getChildrenValues()) as Record<string, unknown>;
  const failures = (await bullJob.getIgnoredChildrenFailures()) as Record<string, string>;
  // Keys are "<prefix>:<queue>:<bull job id>"; the bull job id is the Job row id.
  const byRow = <T>(record: Record<string, T>): Map<string, T> =>
    new Map(Object.entries(record).map(([key, v]) => [key.slice(key.lastIndexOf(':') + 1), v]));
  return { completed: byRow(values), failed: byRow(failures) };
}

async function markParentRunning(store: JobStore, parentId: string): Promise<void> {
  const parent = await store.get(parentId);
  if (parent.status === 'QUEUED') await store.markRunning(parentId, 1);
}

/** A cohort's progress is the share of its children that have finished, whatever their outcome. */
async function updateParentProgress(store: JobStore, parentId: string): Promise<void> {
  const { finished, total } = await store.childCounts(parentId);
  if (total === 0) return;
  const parent = await store.get(parentId);
  if (TERMINAL_STATUSES.includes(parent.status)) return;
  // The parent's own step (aggregation) is the last 5 %.
  await store.progress(parentId, {
    progress: 0.95 * (finished / total),
    stage: 'studies',
    message: `${finished} of ${total} studies finished`,
  });
}
