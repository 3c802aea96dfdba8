// The pipeline: keypoints (Sag T2 and Sag T1, then axial), classifier crops, ensemble. Studies run in batches:
// every model sees the samples of all studies of a batch at once, so small classifier crops batch well.
import { AppError } from '../../domain/errors.js';
import { LEVELS, SIDES, type Condition } from '../../domain/vocabulary.js';
import type { LoadedModel, LoadedModelSet } from '../model-set.js';
import { inlinePreprocessor, type Preprocessor } from '../preprocess/preprocessor.js';
import { MODEL_ROLES, ROLE_SPECS, type ModelRole } from '../roles.js';
import type { StudyInput } from '../stack.js';
import type { StudyKeypoint, StudyResult, Unavailable } from '../types.js';
import { conditionsCovered, ensembleGroup, recordMissingVotes, recordVotes } from './classifier-stage.js';
import { ensembleRows } from './ensemble.js';
import { decodeKeypoints, recordMissingKeypoints } from './keypoint-stage.js';
import { layoutOf, prepareInputs, runInChunks, type PreparedInputs } from './model-inputs.js';
import { SerialLane, StageClock } from './stage-clock.js';
import { StudyState } from './study-state.js';

export interface PipelineOptions {
  /**
   * Sub-pixel keypoint refinement (quadratic fit around the heatmap peak). Default false: the seed decodes the plain
   * argmax (generate_coords.py), and true deviates from it.
   */
  readonly refineKeypoints?: boolean;
  /** Most samples per model run. Default 32. */
  readonly maxBatch?: number;
  /** Studies whose samples share model runs (runPipeline). Default 4. */
  readonly studiesPerBatch?: number;
  /**
   * Batches under way at once (runPipeline). Default 2: the next batch reads, decodes and resamples while this one's
   * models run, and its model runs fill the gaps where this one waits for its own inputs (after each keypoint
   * stage). Model runs stay one at a time (one lane for all batches). 1 = one batch after another.
   */
  readonly batchesInFlight?: number;
  /** Where resampling runs. Default: inline on the calling thread. */
  readonly preprocessor?: Preprocessor;
  readonly signal?: AbortSignal;
}

export interface PipelineProgress {
  readonly studiesDone: number;
  readonly studiesTotal: number;
  /** Results of the batch that just finished. */
  readonly results: readonly StudyResult[];
}

/** Keypoints in a stable order (roles, then levels, then sides), whichever role finished first. */
const keypointOrder = (a: StudyKeypoint, b: StudyKeypoint): number =>
  MODEL_ROLES.indexOf(a.role) - MODEL_ROLES.indexOf(b.role) ||
  LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
  SIDES.indexOf(a.side) - SIDES.indexOf(b.side);

const modelError = (e: unknown): Unavailable => ({ code: 'MODEL_ERROR', message: e instanceof Error ? e.message : String(e) });

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('JOB_CANCELLED', 'inference was cancelled');
}

class BatchRun {
  private readonly clock = new StageClock();
  private readonly states: StudyState[];
  private readonly preprocessor: Preprocessor;
  private readonly maxBatch: number;
  private readonly prepared = new Map<string, Promise<PreparedInputs>>();
  private readonly slots = new Map<string, Promise<Float32Array>>();

  constructor(
    studies: readonly StudyInput[],
    private readonly set: LoadedModelSet,
    private readonly options: PipelineOptions,
    private readonly lane: SerialLane = new SerialLane(),
  ) {
    this.states = studies.map((s) => new StudyState(s, (ms) => this.clock.add('load', ms)));
    this.preprocessor = options.preprocessor ?? inlinePreprocessor;
    this.maxBatch = Math.max(1, options.maxBatch ?? 32);
  }

  /** Folds with the same input layout share one prepared batch. */
  private prepare(model: LoadedModel): Promise<PreparedInputs> {
    const m = model.manifest;
    const s = m.spec;
    const key = JSON.stringify([
      m.role,
      s.kind === 'keypoints' ? [s.input, s.view] : [s.input, s.variants, s.roiMm, s.missingRoi, s.emptySample],
    ]);
    let p = this.prepared.get(key);
    if (!p) {
      p = this.clock.time(`preprocess:${m.role}`, () => prepareInputs(m, this.states, this.preprocessor, this.slots));
      this.prepared.set(key, p);
    }
    return p;
  }

  private runModel(model: LoadedModel, prepared: PreparedInputs): Promise<Float32Array> {
    const m = model.manifest;
    return this.lane.run(() =>
      this.clock.time(`model:${m.role}`, () =>
        runInChunks(async (feeds) => (await model.session.run(feeds))[m.spec.output.name].data, m, prepared, this.maxBatch),
      ),
    );
  }

  /** All folds of a keypoint role see the same inputs; their heatmaps are averaged. */
  private async keypointRole(models: readonly LoadedModel[]): Promise<void> {
    const first = models[0].manifest;
    let prepared: PreparedInputs;
    try {
      prepared = await this.prepare(models[0]);
    } catch (e) {
      for (const state of this.states)
        for (const sample of layoutOf(first).samples) recordMissingKeypoints(first, state, sample, modelError(e));
      return;
    }
    for (const s of prepared.skipped) recordMissingKeypoints(first, s.state, s.sample, s.reason);
    if (prepared.rows.length === 0) return;
    try {
      const outputs = await Promise.all(models.map((m) => this.runModel(m, prepared)));
      await this.clock.time('decode-keypoints', async () =>
        decodeKeypoints(first, prepared, outputs, this.options.refineKeypoints ?? false),
      );
    } catch (e) {
      for (const row of prepared.rows) recordMissingKeypoints(first, row.state, row.sample, modelError(e));
    }
  }

  private async classifier(model: LoadedModel): Promise<void> {
    const m = model.manifest;
    let prepared: PreparedInputs;
    try {
      prepared = await this.prepare(model);
    } catch (e) {
      for (const state of this.states) for (const sample of layoutOf(m).samples) recordMissingVotes(m, state, sample, modelError(e));
      return;
    }
    for (const s of prepared.skipped) recordMissingVotes(m, s.state, s.sample, s.reason);
    if (prepared.rows.length === 0) return;
    try {
      recordVotes(m, prepared, await this.runModel(model, prepared));
    } catch (e) {
      for (const row of prepared.rows) recordMissingVotes(m, row.state, row.sample, modelError(e));
    }
  }

  async run(): Promise<StudyResult[]> {
    const byRole = new Map<ModelRole, LoadedModel[]>();
    for (const m of this.set.models) byRole.set(m.manifest.role, [...(byRole.get(m.manifest.role) ?? []), m]);
    const keypointRoles = [...byRole.keys()].filter((r) => ROLE_SPECS[r].stage === 'keypoints');
    const orders = [...new Set(keypointRoles.map((r) => ROLE_SPECS[r].order))].sort((a, b) => a - b);
    for (const order of orders) {
      checkAborted(this.options.signal);
      await Promise.all(keypointRoles.filter((r) => ROLE_SPECS[r].order === order).map((r) => this.keypointRole(byRole.get(r) ?? [])));
    }
    checkAborted(this.options.signal);
    const classifiers = this.set.models.filter((m) => ROLE_SPECS[m.manifest.role].stage === 'classifier');
    await Promise.all(classifiers.map((m) => this.classifier(m)));

    const expected = new Map<Condition, string[]>();
    for (const m of classifiers) {
      for (const c of conditionsCovered(m.manifest)) {
        const groups = expected.get(c) ?? [];
        if (!groups.includes(ensembleGroup(m.manifest))) expected.set(c, [...groups, ensembleGroup(m.manifest)]);
      }
    }
    const t0 = performance.now();
    const predictions = this.states.map((s) => ensembleRows(s, expected));
    this.clock.add('ensemble', performance.now() - t0);
    const timings = { stagesMs: this.clock.snapshot(), wallMs: this.clock.wallMs(), studiesInBatch: this.states.length };
    return this.states.map((s, i) => ({
      studyId: s.studyId,
      predictions: predictions[i],
      keypoints: [...s.keypointList].sort(keypointOrder),
      missingKeypoints: [...s.missingKeypoints].sort(
        (a, b) =>
          MODEL_ROLES.indexOf(a.role) - MODEL_ROLES.indexOf(b.role) ||
          LEVELS.indexOf(a.level ?? 'L1_L2') - LEVELS.indexOf(b.level ?? 'L1_L2') ||
          SIDES.indexOf(a.side) - SIDES.indexOf(b.side),
      ),
      warnings: [...s.warnings].sort(),
      timings,
    }));
  }
}

export async function runStudyPipeline(study: StudyInput, modelSet: LoadedModelSet, options: PipelineOptions = {}): Promise<StudyResult> {
  const [result] = await new BatchRun([study], modelSet, options).run();
  return result;
}

/**
 * Several studies, `studiesPerBatch` at a time, `batchesInFlight` batches under way at once sharing one model lane;
 * `onProgress` after each batch, in batch order. Results in input order.
 */
export async function runPipeline(
  studies: readonly StudyInput[],
  modelSet: LoadedModelSet,
  options: PipelineOptions = {},
  onProgress?: (p: PipelineProgress) => void,
): Promise<StudyResult[]> {
  const per = Math.max(1, options.studiesPerBatch ?? 4);
  const window = Math.max(1, Math.floor(options.batchesInFlight ?? 2));
  const lane = new SerialLane();
  const starts = Array.from({ length: Math.ceil(studies.length / per) }, (_, b) => b * per);
  const running: Promise<StudyResult[]>[] = [];
  const start = (b: number): void => {
    const run = new BatchRun(studies.slice(starts[b], starts[b] + per), modelSet, options, lane).run();
    // Observed now: a batch that fails while an earlier one is awaited must not be an unhandled rejection.
    run.catch(() => undefined);
    running.push(run);
  };
  const results: StudyResult[] = [];
  try {
    for (let b = 0; b < starts.length; b++) {
      checkAborted(options.signal);
      // running[0] is batch b; top the window up with the batches after the last one started.
      while (running.length < window && b + running.length < starts.length) start(b + running.length);
      const current = running.shift();
      if (!current) throw new Error('internal: no batch under way');
      const batch = await current;
      results.push(...batch);
      onProgress?.({ studiesDone: results.length, studiesTotal: studies.length, results: batch });
    }
  } finally {
    // Batches already started finish (or fail) before the caller hears back: nothing keeps running behind it.
    await Promise.allSettled(running);
  }
  return results;
}
