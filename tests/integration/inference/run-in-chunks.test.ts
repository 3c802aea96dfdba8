// runInChunks hands onnxruntime views of the prepared tensor (subarray at a byte offset, no copy) and, for a single
// chunk, returns the model's own output. Whatever the chunk size, a real ONNX model must give every row the output
// it gives that row in one run: a view read from offset 0, or a chunk written to the wrong place, fails here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSet, type LoadedModel, type LoadedModelSet } from '../../../src/inference/model-set.js';
import { runInChunks } from '../../../src/inference/pipeline/model-inputs.js';
import { writeFixtureModelSet } from '../../fixtures/models/fixture-model-set.js';

let dir: string;
let set: LoadedModelSet;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-in-chunks-'));
  // Input-dependent logits (maxima over column ranges), so that rows with other pixels get other outputs.
  await writeFixtureModelSet(join(dir, 'set'), {
    logits: { foraminal: [[{ scale: 1 }], [{ scale: 1, cols: [0, 5] }], [{ scale: -1, cols: [6, 12] }]] },
  });
  set = await loadModelSet(join(dir, 'set'), { intraOpNumThreads: 1 });
  const found = set.models.find((m) => m.manifest.role === 'classifier-foraminal');
  if (!found) throw new Error('the fixture set has no foraminal classifier');
  model = found;
});
afterAll(async () => {
  await set?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('runInChunks', () => {
  it('gives each row the same output in chunks of any size as in one run, and rows differ from each other', async () => {
    const m = model.manifest;
    const perRow = m.spec.input.shape.slice(1).reduce<number>((a, d) => a * (d as number), 1);
    const rows = 10;
    // Row r holds a bright block at a row-dependent place, so the rows' logits differ.
    const tensor = new Float32Array(rows * perRow);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < perRow; i++) tensor[r * perRow + i] = Math.sin(i * 0.01 * (r + 1)) + (i % (r + 7) === 0 ? 3 : 0);
    const run = async (feeds: Record<string, { data: Float32Array; dims: number[] }>) =>
      (await model.session.run(feeds))[m.spec.output.name].data;
    const whole = await runInChunks(run, m, { tensor, rows: { length: rows } }, 32);
    const outPerRow = whole.length / rows;
    const distinct = new Set(Array.from({ length: rows }, (_, r) => whole.slice(r * outPerRow, (r + 1) * outPerRow).join(',')));
    expect(distinct.size).toBe(rows);
    for (const maxBatch of [1, 3, 4, 9]) {
      const chunked = await runInChunks(run, m, { tensor, rows: { length: rows } }, maxBatch);
      expect(Array.from(chunked), `maxBatch ${maxBatch}`).toEqual(Array.from(whole));
    }
  });
});
