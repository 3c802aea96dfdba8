// The steps every training run takes, in one place: labelled studies -> folds -> exported tensors -> a written
// request -> the trainer child process -> its run summary -> model files copied out. TRAINING jobs
// (training.service.ts) and the demo-model build (scripts/build-demo-models.ts) compose these steps; each keeps
// only what is its own (job progress and registration; the demo's cached work folder, per-role runs and report).
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import { AppError, badInput } from '../domain/errors.js';
import {
  anySevereLabel,
  exportTrainingTensors,
  type TensorExportOptions,
  type TensorExportResult,
} from '../training/export/export-tensors.js';
import type { LabelledStudy } from '../training/export/labelled-study.js';
import { assignFolds } from '../training/folds.js';
import { buildTrainingRequest, writeTrainingRequest, type TrainingRequest, type TrainingRequestInput } from '../training/request.js';
import { runTrainer, type TrainerEvent } from '../training/trainer-process.js';
import { loadLabelledStudies } from './labelled-studies.js';

/** Labelled studies with their cross-validation folds. */
export interface TrainingCohort {
  readonly studies: readonly LabelledStudy[];
  readonly foldCount: number;
  /** studyId -> fold (folds.ts: stratified by any severe label, deterministic for the seed). */
  readonly folds: ReadonlyMap<string, number>;
}

export interface CohortOptions {
  readonly seed: number;
  /** The fold count for the number of labelled studies (a caller's request, or `foldCountFor`). */
  readonly foldCount: (labelledStudies: number) => number;
}

/** Loads the studies that carry labels and deals them into folds; refuses a cohort too small to train on. */
export async function loadTrainingCohort(db: Database, studyIds: readonly string[], options: CohortOptions): Promise<TrainingCohort> {
  const studies = (await loadLabelledStudies(db, studyIds)).filter((s) => s.grades.length > 0);
  if (studies.length < 2)
    throw badInput(`Training needs at least 2 labelled studies; ${studies.length} of the ${studyIds.length} given have labels`);
  const foldCount = options.foldCount(studies.length);
  if (foldCount < 2) throw badInput(`Training needs at least 2 folds (a fold's models train on the others); ${foldCount} asked for`);
  if (foldCount > studies.length) throw badInput(`${foldCount} folds need at least ${foldCount} studies; ${studies.length} given`);
  const folds = assignFolds(
    studies.map((s) => ({ studyId: s.input.studyId, anySevere: anySevereLabel(s) })),
    foldCount,
    options.seed,
  );
  return { studies, foldCount, folds };
}

/** The validation folds to train (default every fold), checked against the cohort's fold count. */
export function resolveTrainFolds(foldCount: number, requested?: readonly number[]): number[] {
  const trainFolds = requested ? [...requested] : [...Array(foldCount).keys()];
  if (trainFolds.some((f) => !Number.isInteger(f) || f < 0 || f >= foldCount)) throw badInput(`trainFolds must lie in 0..${foldCount - 1}`);
  return trainFolds;
}

/** Exports the cohort's tensors (and its folds) for the trainer; `index.json` in `outDir` is what a request names. */
export function exportCohortTensors(cohort: TrainingCohort, options: Omit<TensorExportOptions, 'folds'>): Promise<TensorExportResult> {
  return exportTrainingTensors(cohort.studies, { ...options, folds: cohort.folds });
}

/** What the trainer writes to run-summary.json that callers read (docs/training-format.md). */
export interface TrainerRunSummary {
  readonly cv?: Prisma.InputJsonValue;
  readonly trainingDataHash?: string;
  readonly durationS?: number;
  readonly [key: string]: unknown;
}

export interface TrainingRun {
  readonly python: string;
  /** Where the request JSON is written. */
  readonly requestPath: string;
  readonly request: TrainingRequestInput;
  readonly signal?: AbortSignal;
  /** The validated request, once written and before the trainer starts. */
  readonly onRequest?: (request: TrainingRequest) => void;
  readonly onEvent?: (event: TrainerEvent) => void;
  readonly onLog?: (line: string) => void;
}

/**
 * Writes the request, runs the trainer to its end and reads the run summary. Throws (AppError TRAINING_FAILED or
 * the trainer's own error) unless the trainer finished and wrote run-summary.json into the request's outputDir.
 */
export async function runTrainingRun(run: TrainingRun): Promise<{ request: TrainingRequest; summary: TrainerRunSummary }> {
  const request = buildTrainingRequest(run.request);
  await writeTrainingRequest(run.requestPath, request);
  run.onRequest?.(request);
  await runTrainer({ python: run.python, requestPath: run.requestPath, signal: run.signal, onEvent: run.onEvent, onLog: run.onLog });
  const summaryPath = join(request.outputDir, 'run-summary.json');
  if (!existsSync(summaryPath)) throw new AppError('TRAINING_FAILED', 'The trainer reported done but wrote no run-summary.json');
  return { request, summary: JSON.parse(await readFile(summaryPath, 'utf8')) as TrainerRunSummary };
}

export interface CopyModelFiles {
  /** Also copy the run's records: out-of-fold predictions (*.oof.json) and run-summary.json. */
  readonly withRunRecords: boolean;
  /** Writes each manifest as this returns it (given the manifest's path) instead of copying it. */
  readonly rewriteManifest?: (manifestPath: string) => Promise<string>;
}

/** Copies a trainer output folder's models (ONNX, manifests, check files) into `dir`, which must exist. */
export async function copyModelFiles(outputDir: string, dir: string, options: CopyModelFiles): Promise<void> {
  for (const f of await readdir(outputDir)) {
    const from = join(outputDir, f);
    if (f.endsWith('.manifest.json') && options.rewriteManifest) await writeFile(join(dir, f), await options.rewriteManifest(from));
    else if (/\.(onnx|manifest\.json|check\.json)$/.test(f)) await cp(from, join(dir, f));
    else if (options.withRunRecords && (f.endsWith('.oof.json') || f === 'run-summary.json')) await cp(from, join(dir, f));
  }
}
