// Retraining: labelled studies -> exported tensors -> the PyTorch trainer (child process) -> a registered model
// set. The trainer's JSON-lines progress becomes the job's progress; only a run that printed `done` and wrote
// run-summary.json registers anything, and a failed or cancelled run leaves neither files nor rows behind.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import { MODEL_ROLES } from '../inference/index.js';
import { foldCountFor } from '../training/folds.js';
import { CONFIG_LAYOUT_SIZES } from '../training/request.js';
import type { TrainerEvent } from '../training/trainer-process.js';
import { parseJobParams, type JobParams, type JobResult } from './job-contract.js';
import { registerModelSet } from './model-registry.service.js';
import { copyModelFiles, exportCohortTensors, loadTrainingCohort, resolveTrainFolds, runTrainingRun } from './training-orchestration.js';

export type TrainingParams = JobParams<'TRAINING'>;

export interface TrainingProgress {
  readonly progress: number;
  readonly stage: string;
  readonly message: string;
}

export interface TrainingContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  report(update: TrainingProgress): Promise<void>;
  log?(line: string): void;
}

/** What a TRAINING job ends with (the job contract's result). */
export type TrainingResult = JobResult<'TRAINING'>;

type Deps = { readonly db: Database; readonly config: Pick<Config, 'dataDir' | 'modelsDir' | 'trainerPython'> };

/** Export takes the first 10 % of the bar, the trainer the next 85 %, registration the rest. */
const EXPORT_SHARE = 0.1;
const TRAIN_SHARE = 0.85;
/** The trainer reports every step for `tiny`; the job row needs no more than a few updates a second. */
const REPORT_INTERVAL_MS = 500;

export async function runTrainingJob(deps: Deps, raw: unknown, ctx: TrainingContext): Promise<TrainingResult> {
  const params = parseJobParams('TRAINING', 'single', raw);
  const started = performance.now();
  // One ordered lane for every progress write: export and trainer reports must not overtake each other.
  let lane: Promise<void> = Promise.resolve();
  const report = (update: TrainingProgress): Promise<void> => (lane = lane.then(() => ctx.report(update)).catch(() => undefined));
  const workDir = join(deps.config.dataDir, 'training', ctx.jobId);
  // A retried attempt starts clean; the work dir holds nothing worth keeping once the set is registered.
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  let setDir: string | undefined;
  try {
    await report({ progress: 0, stage: 'export', message: `loading ${params.studyIds.length} studies` });
    const cohort = await loadTrainingCohort(deps.db, params.studyIds, {
      seed: params.seed,
      foldCount: (labelled) => params.folds ?? foldCountFor(labelled),
    });
    const { studies, foldCount } = cohort;
    const trainFolds = resolveTrainFolds(foldCount, params.trainFolds);
    const exported = await exportCohortTensors(cohort, {
      outDir: join(workDir, 'tensors'),
      sizes: CONFIG_LAYOUT_SIZES[params.config],
      meta: { cohort: `job ${ctx.jobId}`, studies: studies.length, folds: foldCount },
      signal: ctx.signal,
      onStudy: (done, total) =>
        void report({ progress: (EXPORT_SHARE * done) / total, stage: 'export', message: `exported ${done} of ${total} studies` }),
    });
    ctx.log?.(
      `exported ${exported.studies} studies (${(exported.bytes / 2 ** 20).toFixed(1)} MiB), ${exported.unplacedLabels} label points without an instance`,
    );

    const outputDir = join(workDir, 'out');
    const progress = trainerProgress(report);
    const { summary } = await runTrainingRun({
      python: deps.config.trainerPython,
      requestPath: join(workDir, 'request.json'),
      request: {
        outputDir,
        config: params.config,
        seed: params.seed,
        tensorIndex: exported.indexPath,
        folds: trainFolds,
        roles: MODEL_ROLES,
        ...(params.epochs ? { epochs: params.epochs } : {}),
      },
      signal: ctx.signal,
      onEvent: progress.onEvent,
      onLog: ctx.log,
    });
    await lane;
    ctx.signal.throwIfAborted();

    await report({ progress: EXPORT_SHARE + TRAIN_SHARE, stage: 'register', message: 'registering the model set' });
    const name = params.name ?? `trained-${params.config}-${ctx.jobId.slice(0, 8)}`;
    setDir = await copyOutputs(outputDir, join(deps.config.modelsDir, 'trained'), name);
    const metrics = {
      cv: summary.cv ?? null,
      config: params.config,
      seed: params.seed,
      studies: studies.length,
      folds: foldCount,
      trainedFolds: trainFolds,
      trainingDataHash: summary.trainingDataHash ?? null,
    } satisfies Prisma.InputJsonValue;
    const { set, created } = await registerModelSet(deps.db, setDir, {
      activate: params.activate,
      name,
      producedByJobId: ctx.jobId,
      metrics,
    });
    await report({ progress: 1, stage: 'done', message: `registered model set ${set.name}${set.isActive ? ' (active)' : ''}` });
    return {
      modelSetId: set.id,
      name: set.name,
      created,
      active: set.isActive,
      directory: setDir,
      studies: studies.length,
      folds: foldCount,
      trainedFolds: trainFolds,
      durationS: Math.round((performance.now() - started) / 100) / 10,
      epochLosses: progress.epochLosses,
      metrics,
    };
  } catch (e) {
    if (setDir) await rm(setDir, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Trainer events -> job progress (stage = role, fraction over every role x fold), throttled; losses kept. */
function trainerProgress(report: (u: TrainingProgress) => Promise<void>): {
  onEvent: (e: TrainerEvent) => void;
  epochLosses: Record<string, number[]>;
} {
  const epochLosses: Record<string, number[]> = {};
  let last = 0;
  const onEvent = (e: TrainerEvent): void => {
    if (e.event === 'epoch' && e.role !== undefined && typeof e.loss === 'number')
      (epochLosses[`${e.role}/${e.fold ?? 0}`] ??= []).push(e.loss);
    if (!['step', 'epoch', 'fold', 'export', 'start'].includes(e.event)) return;
    const now = Date.now();
    const milestone = e.event !== 'step';
    if (!milestone && now - last < REPORT_INTERVAL_MS) return;
    last = now;
    const update: TrainingProgress = {
      progress: EXPORT_SHARE + TRAIN_SHARE * Math.min(1, Math.max(0, e.progress ?? 0)),
      stage: e.role ?? 'train',
      message: describeEvent(e),
    };
    void report(update);
  };
  return { onEvent, epochLosses };
}

function describeEvent(e: TrainerEvent): string {
  const eta = typeof e.eta_s === 'number' ? `, ETA ${formatDuration(e.eta_s)}` : '';
  const fold = e.fold !== undefined ? ` fold ${e.fold}` : '';
  const loss = typeof e.loss === 'number' ? ` loss ${e.loss.toPrecision(4)}` : '';
  switch (e.event) {
    case 'start':
      return `trainer started on ${String(e.device ?? 'cpu')}`;
    case 'step':
      return `${e.role}${fold} epoch ${e.epoch} step ${e.step}/${String(e.steps)}${loss}${eta}`;
    case 'epoch':
      return `${e.role}${fold} epoch ${e.epoch}/${e.epochs}${loss} val ${String(e.valMetricName ?? 'metric')} ${typeof e.valMetric === 'number' ? e.valMetric.toPrecision(4) : 'n/a'}${eta}`;
    case 'export':
      return `${e.role}${fold} exported to ONNX${eta}`;
    default:
      return `${e.role}${fold} finished${eta}`;
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Copies the models and the run's records into a fresh folder for the set (a name taken gets -2, -3 ...). */
async function copyOutputs(outputDir: string, trainedRoot: string, name: string): Promise<string> {
  const base = name.replace(/[^\w.-]+/g, '_');
  let dir = join(trainedRoot, base);
  for (let i = 2; existsSync(dir); i++) dir = join(trainedRoot, `${base}-${i}`);
  await mkdir(dir, { recursive: true });
  await copyModelFiles(outputDir, dir, { withRunRecords: true });
  await writeFile(join(dir, 'model-set.json'), `${JSON.stringify({ name }, null, 2)}\n`);
  return dir;
}
