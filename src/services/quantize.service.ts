// Quantizing a registered model set (CLI `spinegraph models quantize`): calibration studies chosen from the
// imported ones, the set rewritten as static int8 QDQ (training/quantize), the result registered as its own set
// whose manifests record the quantization.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { AppError, badInput } from '../domain/errors.js';
import { quantizeModelSet, type QuantizedModelSummary } from '../training/quantize/quantize-model-set.js';
import { loadStudyInputs } from './inference/study-input.js';
import type { JobParams, JobResult } from './job-contract.js';
import { findModelSet, modelSetDirectory, registerModelSet, type ModelSetRow } from './model-registry.service.js';

export const DEFAULT_CALIBRATION_STUDIES = 20;
/**
 * Layers left float by default. The keypoint models' decoder (ASPP and the fusion convolutions, a small share of
 * their work) shapes the heatmap's peak: quantized, it moved the demo set's keypoints by 5-13 mm on synthetic
 * studies, because those heatmaps are broad and their argmax shifts with small changes; float, by 2-4 mm.
 */
export const DEFAULT_KEEP_FLOAT = { keypoints: '^/(aspp|fuse)/' } as const;
const SET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The new set's name: BAD_USER_INPUT when malformed, CONFLICT when a set has it already. */
export async function checkQuantizedSetName(db: Database, name: string): Promise<void> {
  if (!SET_NAME.test(name))
    throw badInput(`name must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit; got "${name}"`, {
      field: 'name',
    });
  if (await db.prisma.modelSet.findUnique({ where: { name }, select: { id: true } }))
    throw new AppError('CONFLICT', `A model set is already named "${name}"; choose another name`, { details: { field: 'name' } });
}

export interface QuantizeParams {
  /** Name or id of the float set. */
  readonly set: string;
  readonly name: string;
  readonly calibrationStudies?: number;
  /** Calibrate on this project's studies only (default: every imported study). */
  readonly projectId?: string;
  /** Calibrate on these studies only (the job passes the ones its caller may read). */
  readonly studyIds?: readonly string[];
  readonly activate?: boolean;
}

export interface QuantizeResult {
  readonly set: ModelSetRow;
  readonly sourceSet: string;
  readonly directory: string;
  readonly calibrationStudies: number;
  readonly models: readonly QuantizedModelSummary[];
}

type Deps = { readonly db: Database; readonly config: Pick<Config, 'dataDir' | 'modelsDir' | 'trainerPython' | 'inference'> };

export async function quantizeRegisteredSet(
  deps: Deps,
  params: QuantizeParams,
  ctx: { signal?: AbortSignal; onProgress?: (stage: string, done: number, total: number) => void } = {},
): Promise<QuantizeResult> {
  await checkQuantizedSetName(deps.db, params.name);
  const n = params.calibrationStudies ?? DEFAULT_CALIBRATION_STUDIES;
  if (!Number.isInteger(n) || n < 1) throw badInput(`calibration studies must be a positive integer, got ${n}`);
  const source = await findModelSet(deps.db, params.set);
  // The first n imported studies in a fixed order, so the same database calibrates the same way twice.
  const studies = await deps.db.prisma.study.findMany({
    where: {
      ...(params.projectId ? { projectId: params.projectId } : {}),
      ...(params.studyIds ? { id: { in: [...params.studyIds] } } : {}),
    },
    orderBy: [{ externalId: 'asc' }, { id: 'asc' }],
    take: n,
    select: { id: true },
  });
  if (studies.length === 0) throw badInput('There are no imported studies to calibrate on; import some first');
  const inputs = await loadStudyInputs(
    deps.db,
    studies.map((s) => s.id),
  );
  const outDir = join(deps.config.modelsDir, 'quantized', params.name);
  // The name is free in the database, so anything in its folder is a leftover of an interrupted run.
  if (existsSync(outDir)) await rm(outDir, { recursive: true, force: true });
  try {
    const summary = await quantizeModelSet(await modelSetDirectory(deps.db, source.id), inputs, {
      python: deps.config.trainerPython,
      name: params.name,
      outDir,
      workDir: join(deps.config.dataDir, 'quantize', randomUUID()),
      runtime: {
        executionProvider: deps.config.inference.provider,
        intraOpNumThreads: deps.config.inference.threads || undefined,
        allowSpinning: deps.config.inference.spinning,
      },
      keepFloat: DEFAULT_KEEP_FLOAT,
      signal: ctx.signal,
      onProgress: ctx.onProgress,
    });
    const { set } = await registerModelSet(deps.db, outDir, {
      name: params.name,
      exactName: true,
      activate: params.activate,
      metrics: { quantizedFrom: source.name, calibrationStudies: inputs.length, scheme: summary.models[0]?.report.scheme ?? null },
    });
    return { set, sourceSet: source.name, directory: outDir, calibrationStudies: inputs.length, models: summary.models };
  } catch (e) {
    await rm(outDir, { recursive: true, force: true });
    throw e;
  }
}

/** What a QUANTIZE job ends with (the job contract's result). */
export type QuantizeJobResult = JobResult<'QUANTIZE'>;

/** A QUANTIZE job: the same work as the CLI, progress reported per stage and model, the summary as its result. */
export async function runQuantizeJob(
  deps: Deps,
  params: JobParams<'QUANTIZE'>,
  ctx: { signal?: AbortSignal; report: (update: { progress: number; stage?: string; message?: string }) => Promise<void> },
): Promise<QuantizeJobResult> {
  const started = performance.now();
  // The stages in the order they run, each a third of the bar (the comparison with the float model runs inside
  // the rewrite of each model); reports are chained, so they arrive in order.
  const stages = ['prepare', 'calibrate', 'rewrite'] as const;
  let reports = Promise.resolve();
  const result = await quantizeRegisteredSet(
    deps,
    { set: params.modelSetId, name: params.name, studyIds: params.studyIds, calibrationStudies: params.studyIds.length },
    {
      signal: ctx.signal,
      onProgress: (stage, done, total) => {
        const i = stage === 'compare' ? 2 : Math.max(0, stages.indexOf(stage as (typeof stages)[number]));
        const progress = Math.min(0.99, (i + (total > 0 ? done / total : 1)) / stages.length);
        reports = reports.then(() => ctx.report({ progress, stage, message: `${stage} ${done} of ${total}` }));
      },
    },
  );
  await reports;
  return {
    modelSetId: result.set.id,
    name: result.set.name,
    sourceSet: result.sourceSet,
    directory: result.directory,
    calibrationStudies: result.calibrationStudies,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    models: result.models.map((m) => ({
      model: m.model,
      role: m.role,
      scheme: m.report.scheme,
      calibrationSamples: m.calibrationSamples,
      quantizedLayers: { ...m.report.quantizedLayers },
      keptFloat: [...m.report.keptFloat],
      check: { ...m.check },
    })),
  };
}
