// The graph half of quantization runs in the trainer's Python (Debian's onnx package): `prepare` lists the tensors
// that need a range and exposes them as outputs, `apply` rewrites the model as QDQ int8 from the measured ranges
// (src/training/python/spinetrainer/quantize.py). One short child process per model and step.
import { spawn } from 'node:child_process';
import { AppError } from '../../domain/errors.js';
import { TRAINER_PYTHONPATH } from '../trainer-process.js';

/** What `prepare` decided for one model. */
export interface QuantizationPlan {
  readonly layers: readonly { node: string; op: string; input: string; output: string; absorbedRelu: string | null }[];
  readonly keptFloat: readonly string[];
  /** Float tensors whose range calibration must measure. */
  readonly tensors: readonly string[];
}

/** What `apply` did to one model (recorded in its manifest). */
export interface QuantizationReport {
  readonly scheme: string;
  readonly weights: string;
  readonly activations: string;
  readonly biases: string;
  readonly quantizedLayers: Readonly<Record<string, number>>;
  readonly absorbedRelus: number;
  readonly keptFloat: readonly string[];
  readonly tensorsQuantized: number;
}

async function runTool(python: string, args: readonly string[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const child = spawn(python, ['-m', 'spinetrainer.quantize', ...args], {
    env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    signal,
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const [code, error] = await new Promise<[number | null, Error | undefined]>((resolve) => {
    child.on('error', (e) => resolve([null, e]));
    child.on('close', (c) => resolve([c, undefined]));
  });
  if (signal?.aborted) throw new AppError('JOB_CANCELLED', 'quantization was cancelled');
  if (error) throw new AppError('QUANTIZATION_FAILED', `Could not start ${python} for the quantization tool: ${error.message}`);
  if (code !== 0) {
    const tail = stderr.join('').trim().split('\n').slice(-5).join(' | ');
    throw new AppError('QUANTIZATION_FAILED', `The quantization tool failed (${args[0]}): ${tail || `exit code ${code}`}`);
  }
}

export async function prepareCalibrationModel(
  python: string,
  paths: { model: string; calibrationModel: string; plan: string },
  keepFloat: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const keep = keepFloat ? ['--keep-float', keepFloat] : [];
  await runTool(python, ['prepare', '--model', paths.model, '--out-model', paths.calibrationModel, '--plan', paths.plan, ...keep], signal);
}

export async function applyQuantization(
  python: string,
  paths: { model: string; ranges: string; quantizedModel: string; report: string },
  keepFloat: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const keep = keepFloat ? ['--keep-float', keepFloat] : [];
  await runTool(
    python,
    ['apply', '--model', paths.model, '--ranges', paths.ranges, '--out-model', paths.quantizedModel, '--report', paths.report, ...keep],
    signal,
  );
}
