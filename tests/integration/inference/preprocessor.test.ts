import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { inlinePreprocessor, WorkerPreprocessor } from '../../../src/inference/preprocess/preprocessor.js';
import { resizeAxis } from '../../../src/inference/preprocess/pixel-map.js';
import type { RenderBatch } from '../../../src/inference/preprocess/render.js';
import { cutOutMap, seedRoiBox } from '../../../src/inference/preprocess/roi.js';

const frame = (seed: number) => ({
  rows: 40,
  columns: 50,
  pixels: Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * seed) * 100 + i / 10),
});
const batch: RenderBatch = {
  frames: [frame(1), frame(2), frame(3)],
  tasks: Array.from({ length: 7 }, (_, t) => ({
    channels: [0, 1, 2, -1].map((f, c) => {
      const frameIndex = (f + t) % 4 === 3 ? -1 : (f + t) % 3;
      if (c % 2) return { frame: frameIndex, map: { x: resizeAxis(50, 16), y: resizeAxis(40, 16) } };
      const cut = seedRoiBox({ x: 12 + t, y: 25 }, [0.8, 0.9], 20);
      return { frame: frameIndex, map: cutOutMap(cut, 16, 16, t % 2 === 1), cut };
    }),
    rows: 16,
    cols: 16,
    normalisation: 'zscore-stack',
  })),
};

describe('worker preprocessing', () => {
  it('renders exactly what the inline path renders, split over several threads', async () => {
    const pool = new WorkerPreprocessor(3);
    try {
      const [a, b] = await Promise.all([inlinePreprocessor.render(batch), pool.render(batch)]);
      expect(b).toHaveLength(7);
      b.forEach((t, i) => expect(t).toEqual(a[i]));
    } finally {
      await pool.close();
    }
  });

  it('renders into given views of one tensor (inline in place, workers copied in) exactly what it renders alone', async () => {
    const size = 4 * 16 * 16;
    const alone = await inlinePreprocessor.render(batch);
    const pool = new WorkerPreprocessor(2);
    try {
      for (const p of [inlinePreprocessor, pool]) {
        // Tasks in reverse order inside the tensor, with a gap before each: each view is written and nothing else.
        const tensor = new Float32Array(batch.tasks.length * (size + 3)).fill(0);
        const views = batch.tasks.map((_, i) => tensor.subarray((6 - i) * (size + 3) + 3, (6 - i) * (size + 3) + 3 + size));
        const out = await p.render(batch, views);
        out.forEach((t, i) => {
          expect(t).toEqual(alone[i]);
          expect(Array.from(views[i])).toEqual(Array.from(alone[i]));
        });
        for (let i = 0; i < batch.tasks.length; i++)
          expect(Array.from(tensor.subarray(i * (size + 3), i * (size + 3) + 3))).toEqual([0, 0, 0]);
      }
      expect(() =>
        inlinePreprocessor.render(
          batch,
          batch.tasks.map(() => new Float32Array(5)),
        ),
      ).toThrow(/target holds 5 values, the task 1024/);
    } finally {
      await pool.close();
    }
  });

  it('keeps a process alive while it works and lets it exit when idle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spinegraph-pool-'));
    try {
      const script = join(dir, 'pool.mts');
      const src = resolve('src/inference/preprocess/preprocessor.ts');
      await writeFile(
        script,
        `import { WorkerPreprocessor } from ${JSON.stringify(src)};
const pool = new WorkerPreprocessor(1);
const out = await pool.render({ frames: [{ rows: 2, columns: 2, pixels: Float32Array.from([1, 2, 3, 4]) }],
  tasks: [{ channels: [{ frame: 0, map: { x: { offset: 0, scale: 1 }, y: { offset: 0, scale: 1 } } }], rows: 2, cols: 2, outside: 'replicate', normalisation: 'none' }] });
console.log('rendered', Array.from(out[0]).join(','));
`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: resolve('.'), timeout: 60_000 });
      // Without close(): the idle pool must not hold the process open, and the busy one must not let it die early.
      expect(stdout.trim()).toBe('rendered 1,2,3,4');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
