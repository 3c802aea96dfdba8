// The trainer's check file (docs/training-format.md, "Check files"): PyTorch's output for a generated input.
// Running the .onnx on the same input here proves the export and onnxruntime-node agree.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { ModelSession } from './runtime/onnx-session.js';

const checkSchema = z.looseObject({
  input: z.looseObject({
    name: z.string(),
    shape: z.array(z.number().int().positive()),
    generator: z.literal('fmix32'),
    seed: z.number().int(),
    first: z.array(z.number()),
  }),
  output: z.looseObject({
    name: z.string(),
    shape: z.array(z.number().int().positive()),
    first: z.array(z.number()),
    samples: z.array(z.tuple([z.number().int().nonnegative(), z.number()])),
    sum: z.number(),
    sumAbs: z.number(),
  }),
  tolerance: z.object({ abs: z.number().nonnegative(), rel: z.number().nonnegative() }),
});

/** Deterministic inputs in [-1, 1): exact uint32 arithmetic, identical to the trainer's Python generator. */
export function fmix32Input(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const base = Math.imul(seed, 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    let h = (i + base) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    out[i] = ((h >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

const fail = (file: string, what: string, expected: unknown, actual: unknown): AppError =>
  new AppError('MODEL_MISMATCH', `${file}: check ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`, {
    details: { file, field: `check ${what}`, expected, actual },
  });

/** Throws MODEL_MISMATCH when the model's output on the check input differs from PyTorch's beyond the tolerance. */
export async function verifyCheckFile(file: string, session: ModelSession, checkPath: string): Promise<void> {
  const parsed = checkSchema.safeParse(JSON.parse(await readFile(checkPath, 'utf8')));
  if (!parsed.success)
    throw fail(
      file,
      'file',
      'a valid check file',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  const { input, output, tolerance } = parsed.data;
  const n = input.shape.reduce((a, d) => a * d, 1);
  const x = fmix32Input(n, input.seed);
  input.first.forEach((v, i) => {
    if (x[i] !== Math.fround(v)) throw fail(file, `input generator at ${i}`, v, x[i]);
  });
  const y = (await session.run({ [input.name]: { data: x, dims: input.shape } }))[output.name];
  if (!y) throw fail(file, 'output', output.name, 'no such output');
  const close = (got: number, want: number) => Math.abs(got - want) <= tolerance.abs + tolerance.rel * Math.abs(want);
  output.first.forEach((v, i) => {
    if (!close(y.data[i], v)) throw fail(file, `output[${i}]`, v, y.data[i]);
  });
  for (const [p, v] of output.samples) if (!close(y.data[p], v)) throw fail(file, `output[${p}]`, v, y.data[p]);
  let sum = 0;
  for (const v of y.data) sum += v;
  if (Math.abs(sum - output.sum) > tolerance.abs + tolerance.rel * output.sumAbs) throw fail(file, 'output sum', output.sum, sum);
}
