// Inference over stored studies: load inputs, run the pipeline in batches (models see the crops of several
// studies at once), write each study's results as soon as its batch finishes.
import type { Database } from '../../db/client.js';
import { AppError } from '../../domain/errors.js';
import type { LoadedModelSet } from '../../inference/model-set.js';
import { runPipeline, type PipelineOptions } from '../../inference/pipeline/run.js';
import type { StudyResult } from '../../inference/types.js';
import { writeStudyResult } from './result-writer.js';
import { loadStudyInputs } from './study-input.js';

export interface InferenceRunSummary {
  readonly studies: number;
  readonly predictions: number;
  readonly keypoints: number;
  /** Rows produced by a fallback, by reason code. */
  readonly fallbacks: Readonly<Record<string, number>>;
  /** Busy milliseconds per pipeline stage, summed over studies. */
  readonly stagesMs: Readonly<Record<string, number>>;
  readonly wallMs: number;
  /** Studies none of whose images could be read: nothing written for them (their earlier results stay). */
  readonly unreadable: readonly UnreadableStudy[];
}

export interface UnreadableStudy {
  readonly studyId: string;
  /** Why, as the pipeline said it for the first row (instances named by number, never by path). */
  readonly reason: string;
}

/**
 * A study whose every row is the prevalence prior because no slice could be loaded: its files are unreadable, and
 * storing 25 prior rows (and no keypoints) would replace what an earlier run found with a guess.
 */
export function unreadableReason(result: StudyResult): string | null {
  if (result.predictions.length === 0) return null;
  const allUnread = result.predictions.every((p) => p.modelsUsed === 0 && p.fallbackCodes.includes('SLICE_LOAD_FAILED'));
  if (!allUnread || result.keypoints.length > 0) return null;
  return result.predictions[0]?.fallback ?? 'no slice could be loaded';
}

export interface RunInferenceArgs {
  readonly studyIds: readonly string[];
  readonly modelSetId: string;
  readonly modelSet: LoadedModelSet;
  readonly jobId?: string | null;
  readonly signal?: AbortSignal;
  readonly pipeline?: PipelineOptions;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function runInference(db: Database, args: RunInferenceArgs): Promise<InferenceRunSummary> {
  const started = performance.now();
  const inputs = await loadStudyInputs(db, args.studyIds);
  const results: StudyResult[] = [];
  const unreadable: UnreadableStudy[] = [];
  // Writes run while later batches are inferred. Each one's rejection is caught where it is made (an uncaught one
  // would be an unhandled rejection while the pipeline still runs, which ends the process); the first failure
  // stops the pipeline at its next batch and is what runInference rejects with.
  const writes: Promise<void>[] = [];
  const writeErrors: unknown[] = [];
  const stop = new AbortController();
  const signal = args.signal === undefined ? stop.signal : AbortSignal.any([args.signal, stop.signal]);
  const pipelineErrors: unknown[] = [];
  try {
    await runPipeline(inputs, args.modelSet, { ...args.pipeline, signal }, (p) => {
      for (const r of p.results) {
        const reason = unreadableReason(r);
        if (reason !== null) {
          unreadable.push({ studyId: r.studyId, reason });
          continue;
        }
        results.push(r);
        const write = writeStudyResult(db, r, args.modelSetId, args.jobId ?? null).catch((error: unknown) => {
          writeErrors.push(error);
          stop.abort();
        });
        writes.push(write);
      }
      args.onProgress?.(p.studiesDone, p.studiesTotal);
    });
  } catch (error) {
    pipelineErrors.push(error);
  }
  await Promise.all(writes);
  if (writeErrors.length > 0) throw writeFailure(writeErrors[0]);
  if (pipelineErrors.length > 0) throw pipelineErrors[0];
  if (args.signal?.aborted) throw new AppError('JOB_CANCELLED', 'inference was cancelled');
  return { ...summarise(results, performance.now() - started), unreadable };
}

/** A failed result write: retryable (the write is idempotent), the database's message kept as the cause. */
function writeFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('SERVICE_UNAVAILABLE', `writing inference results failed: ${message.split('\n').at(-1) ?? message}`, {
    retryable: true,
    cause: error,
  });
}

export function summarise(results: readonly StudyResult[], wallMs: number): Omit<InferenceRunSummary, 'unreadable'> {
  const fallbacks: Record<string, number> = {};
  const stagesMs: Record<string, number> = {};
  let predictions = 0;
  let keypoints = 0;
  for (const r of results) {
    predictions += r.predictions.length;
    keypoints += r.keypoints.length;
    for (const p of r.predictions) for (const code of new Set(p.fallbackCodes)) fallbacks[code] = (fallbacks[code] ?? 0) + 1;
    for (const [stage, ms] of Object.entries(r.timings.stagesMs)) stagesMs[stage] = (stagesMs[stage] ?? 0) + ms / r.timings.studiesInBatch;
  }
  for (const k of Object.keys(stagesMs)) stagesMs[k] = Math.round(stagesMs[k]);
  return { studies: results.length, predictions, keypoints, fallbacks, stagesMs, wallMs: Math.round(wallMs) };
}
