// The int8 copy of one seed-ensemble network for the "seed ensemble" row: the same static QDQ rewrite as
// `spinegraph models quantize` (src/training/quantize: the trainer's Python lists and rewrites the graph,
// onnxruntime-node measures the activation ranges), calibrated here on the row's deterministic inputs instead of
// studies. The networks have random weights, so the ranges only have to be plausible: what the row measures is the
// int8 kernels' speed, which does not depend on the values. Written beside the fp32 file and reused.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmix32Input } from '../../src/inference/check-file.js';
import { openModelSession, type FloatTensor, type RuntimeOptions } from '../../src/inference/runtime/onnx-session.js';
import { RangeRecorder } from '../../src/training/quantize/calibration.js';
import { applyQuantization, prepareCalibrationModel, type QuantizationPlan } from '../../src/training/quantize/graph-tool.js';
import { PYTHON } from './full-model-set.js';

/** Calibration samples per network (one sample per run: a calibration twin exposes every intermediate tensor). */
const CALIBRATION_SAMPLES = 4;

export interface SeedInt8Model {
  readonly onnxPath: string;
  readonly quantizedLayers: Readonly<Record<string, number>>;
}

/** `dir/<name>.int8.onnx` for `dir/<name>.onnx`, made on first use. */
export async function ensureInt8(
  dir: string,
  name: string,
  input: string,
  sampleShape: readonly number[],
  runtime: RuntimeOptions,
): Promise<SeedInt8Model> {
  const model = join(dir, `${name}.onnx`);
  const quantizedModel = join(dir, `${name}.int8.onnx`);
  const report = join(dir, `${name}.int8.report.json`);
  if (!existsSync(quantizedModel) || !existsSync(report)) {
    const calibrationModel = join(dir, `${name}.calibration.onnx`);
    const plan = join(dir, `${name}.plan.json`);
    const ranges = join(dir, `${name}.ranges.json`);
    await prepareCalibrationModel(PYTHON, { model, calibrationModel, plan }, undefined);
    const tensors = (JSON.parse(await readFile(plan, 'utf8')) as QuantizationPlan).tensors;
    const recorder = new RangeRecorder();
    const twin = await openModelSession(calibrationModel, runtime, `${name} (calibration)`);
    try {
      const dims = [1, ...sampleShape];
      const n = dims.reduce((a, d) => a * d, 1);
      for (let s = 0; s < CALIBRATION_SAMPLES; s++) {
        const feed: FloatTensor = { data: fmix32Input(n, 100 + s), dims };
        const out = await twin.run({ [input]: feed });
        for (const t of tensors) {
          const value = t === input ? feed : out[t];
          if (!value) throw new Error(`calibration of ${name}: no tensor ${t}`);
          recorder.observe(t, value.data);
        }
      }
    } finally {
      await twin.release();
    }
    await writeFile(ranges, JSON.stringify(recorder.toJSON()));
    await applyQuantization(PYTHON, { model, ranges, quantizedModel, report }, undefined);
    await rm(calibrationModel, { force: true });
  }
  const { quantizedLayers } = JSON.parse(await readFile(report, 'utf8')) as { quantizedLayers: Record<string, number> };
  return { onnxPath: quantizedModel, quantizedLayers };
}
