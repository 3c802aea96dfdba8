// `models quantize`: a model set -> its static int8 twin. For every model: the Python tool plans the rewrite and
// writes a calibration twin; the pipeline runs on the calibration studies with the twins (ranges of every tensor to
// be quantized, from the inputs inference really gives each model); the tool rewrites each model as QDQ int8; the
// quantized model is compared with the float one on kept calibration inputs; manifests record all of it.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../domain/errors.js';
import { loadModelSet, MANIFEST_SUFFIX, MODEL_SET_FILE, sha256File, type LoadedModel } from '../../inference/model-set.js';
import { runPipeline, type PipelineOptions } from '../../inference/pipeline/run.js';
import { openModelSession, type FloatTensor, type ModelSession, type RuntimeOptions } from '../../inference/runtime/onnx-session.js';
import type { StudyInput } from '../../inference/stack.js';
import { calibratingSet, RangeRecorder, type ModelCalibration } from './calibration.js';
import { applyQuantization, prepareCalibrationModel, type QuantizationPlan, type QuantizationReport } from './graph-tool.js';

export interface QuantizeSetOptions {
  /** The trainer's interpreter (Debian's python3 with onnx). */
  readonly python: string;
  /** Name of the new set (model-set.json). */
  readonly name: string;
  /** Where the quantized set is written (created; must not hold a set already). */
  readonly outDir: string;
  /** Scratch space for calibration twins and ranges (removed at the end). */
  readonly workDir: string;
  readonly runtime?: RuntimeOptions;
  readonly pipeline?: PipelineOptions;
  readonly signal?: AbortSignal;
  /** Per model kind: a regular expression over ONNX node names; matching layers stay float. */
  readonly keepFloat?: Partial<Record<'keypoints' | 'classifier', string>>;
  readonly onProgress?: (stage: 'prepare' | 'calibrate' | 'rewrite' | 'compare', done: number, total: number) => void;
}

/** How far the quantized model's outputs are from the float model's on kept calibration inputs. */
export interface QuantizationCheck {
  readonly samples: number;
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** max - min of the float outputs: the scale the differences are read against. */
  readonly floatOutputRange: number;
}

export interface QuantizedModelSummary {
  readonly model: string;
  readonly role: string;
  readonly calibrationSamples: number;
  readonly report: QuantizationReport;
  readonly check: QuantizationCheck;
}

export interface QuantizedSetSummary {
  readonly name: string;
  readonly dir: string;
  readonly studies: number;
  readonly models: readonly QuantizedModelSummary[];
}

function compare(a: FloatTensor, b: FloatTensor): { maxAbs: number; sumAbs: number; lo: number; hi: number } {
  let maxAbs = 0;
  let sumAbs = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
    if (a.data[i] < lo) lo = a.data[i];
    if (a.data[i] > hi) hi = a.data[i];
  }
  return { maxAbs, sumAbs, lo, hi };
}

async function checkAgainstFloat(
  fp32: ModelSession,
  int8: ModelSession,
  inputs: readonly Record<string, FloatTensor>[],
  output: string,
): Promise<QuantizationCheck> {
  let maxAbs = 0;
  let sumAbs = 0;
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const feeds of inputs) {
    const a = (await fp32.run(feeds))[output];
    const b = (await int8.run(feeds))[output];
    const c = compare(a, b);
    maxAbs = Math.max(maxAbs, c.maxAbs);
    sumAbs += c.sumAbs;
    n += a.data.length;
    lo = Math.min(lo, c.lo);
    hi = Math.max(hi, c.hi);
  }
  return { samples: inputs.length, maxAbsDiff: maxAbs, meanAbsDiff: n ? sumAbs / n : 0, floatOutputRange: n ? hi - lo : 0 };
}

export async function quantizeModelSet(
  sourceDir: string,
  studies: readonly StudyInput[],
  options: QuantizeSetOptions,
): Promise<QuantizedSetSummary> {
  if (studies.length === 0) throw new AppError('BAD_USER_INPUT', 'Quantization needs at least one study to calibrate on');
  const progress = options.onProgress ?? (() => undefined);
  const set = await loadModelSet(sourceDir, options.runtime);
  const twins: ModelSession[] = [];
  try {
    await mkdir(options.workDir, { recursive: true });
    await mkdir(options.outDir, { recursive: true });
    const calibrations: { calibration: ModelCalibration; twin: ModelSession; plan: QuantizationPlan }[] = [];
    for (const [i, model] of set.models.entries()) {
      const stem = basename(model.onnxPath, '.onnx');
      const paths = {
        model: model.onnxPath,
        calibrationModel: join(options.workDir, `${stem}.calibration.onnx`),
        plan: join(options.workDir, `${stem}.plan.json`),
      };
      await prepareCalibrationModel(options.python, paths, options.keepFloat?.[model.manifest.spec.kind], options.signal);
      const plan = JSON.parse(await readFile(paths.plan, 'utf8')) as QuantizationPlan;
      const twin = await openModelSession(paths.calibrationModel, options.runtime, `${stem} (calibration)`);
      twins.push(twin);
      calibrations.push({ calibration: { model, tensors: plan.tensors, recorder: new RangeRecorder(), samples: 0, kept: [] }, twin, plan });
      progress('prepare', i + 1, set.models.length);
    }
    await runPipeline(studies, calibratingSet(set, calibrations), { ...options.pipeline, signal: options.signal }, (p) =>
      progress('calibrate', p.studiesDone, p.studiesTotal),
    );
    if (options.signal?.aborted) throw new AppError('JOB_CANCELLED', 'quantization was cancelled');
    const summaries: QuantizedModelSummary[] = [];
    for (const [i, { calibration, plan }] of calibrations.entries()) {
      summaries.push(await rewriteModel(calibration, plan, studies.length, set.name, options));
      progress('rewrite', i + 1, calibrations.length);
    }
    await writeFile(join(options.outDir, MODEL_SET_FILE), `${JSON.stringify({ name: options.name, quantizedFrom: set.name }, null, 2)}\n`);
    return { name: options.name, dir: options.outDir, studies: studies.length, models: summaries };
  } finally {
    await Promise.all(twins.map((t) => t.release()));
    await set.release();
    await rm(options.workDir, { recursive: true, force: true });
  }
}

async function rewriteModel(
  calibration: ModelCalibration,
  plan: QuantizationPlan,
  studies: number,
  sourceSet: string,
  options: QuantizeSetOptions,
): Promise<QuantizedModelSummary> {
  const model: LoadedModel = calibration.model;
  const stem = basename(model.onnxPath, '.onnx');
  const unmeasured = plan.tensors.filter((t) => !calibration.recorder.has(t));
  if (unmeasured.length > 0)
    throw new AppError(
      'QUANTIZATION_FAILED',
      `${stem}: the calibration studies never ran this model (${unmeasured.length} tensors without a range); calibrate on studies that have its series`,
    );
  const ranges = join(options.workDir, `${stem}.ranges.json`);
  const report = join(options.workDir, `${stem}.report.json`);
  const onnxFile = `${stem}.onnx`;
  const quantizedModel = join(options.outDir, onnxFile);
  await writeFile(ranges, JSON.stringify(calibration.recorder.toJSON()));
  await applyQuantization(
    options.python,
    { model: model.onnxPath, ranges, quantizedModel, report },
    options.keepFloat?.[model.manifest.spec.kind],
    options.signal,
  );
  const quantization = JSON.parse(await readFile(report, 'utf8')) as QuantizationReport;
  const int8 = await openModelSession(quantizedModel, options.runtime, `${stem} (int8)`);
  let check: QuantizationCheck;
  try {
    check = await checkAgainstFloat(model.session, int8, calibration.kept, model.manifest.spec.output.name);
  } finally {
    await int8.release();
  }
  const raw = model.manifest.raw as Record<string, unknown> & { onnx: Record<string, unknown> };
  const { check: _floatCheck, ...onnx } = raw.onnx;
  const manifest = {
    ...raw,
    onnx: { ...onnx, file: onnxFile, sha256: await sha256File(quantizedModel), bytes: (await readFile(quantizedModel)).byteLength },
    quantization: {
      ...quantization,
      calibration: { sourceSet, studies, samples: calibration.samples, method: 'min-max' },
      source: { file: basename(model.onnxPath), sha256: model.manifest.sha256 },
      checkAgainstFloat: check,
    },
  };
  await writeFile(join(options.outDir, `${stem}${MANIFEST_SUFFIX}`), `${JSON.stringify(manifest, null, 2)}\n`);
  return { model: stem, role: model.manifest.role, calibrationSamples: calibration.samples, report: quantization, check };
}
