// Saved optimised graphs (RuntimeOptions.optimizedModelDir): written by the first session of a model file, reopened
// by later ones with the same outputs, replaced when damaged, and never reused for a changed model file.
import { copyFile, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fmix32Input } from '../../../src/inference/check-file.js';
import { openModelSession, type ModelSession } from '../../../src/inference/runtime/onnx-session.js';

const DEMO_MODEL = resolve(import.meta.dirname, '../../../models/demo/classifier-spinal-fold0.onnx');
const dims = [2, 2, 5, 64, 64];
const feeds = {
  rois: {
    data: fmix32Input(
      dims.reduce((a, d) => a * d, 1),
      7,
    ),
    dims,
  },
};

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setup(): Promise<{ model: string; graphs: string }> {
  const root = await mkdtemp(join(tmpdir(), 'sg-ort-graphs-'));
  dirs.push(root);
  const model = join(root, 'spinal.onnx');
  await copyFile(DEMO_MODEL, model);
  return { model, graphs: join(root, 'graphs') };
}

async function outputOf(session: ModelSession): Promise<Float32Array> {
  try {
    return (await session.run(feeds)).logits.data;
  } finally {
    await session.release();
  }
}

describe('optimised-graph cache', () => {
  it('saves the graph on first open and reopens it later with the same outputs', async () => {
    const { model, graphs } = await setup();
    const plain = await outputOf(await openModelSession(model, { intraOpNumThreads: 1 }));
    const first = await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs }));
    const saved = await readdir(graphs);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^spinal\.[0-9a-f]{20}\.all\.onnx$/);
    const written = await stat(join(graphs, saved[0]));
    const again = await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs }));
    expect(await readdir(graphs)).toEqual(saved);
    expect((await stat(join(graphs, saved[0]))).mtimeMs).toBe(written.mtimeMs);
    expect(first).toEqual(plain);
    expect(again).toEqual(plain);
  });

  it('replaces a damaged saved graph, warning once, and keys graphs by model file and level', async () => {
    const { model, graphs } = await setup();
    await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs }));
    const [name] = await readdir(graphs);
    await writeFile(join(graphs, name), 'not a model');
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    const out = await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs, logger }));
    expect(out.length).toBe(2 * 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/did not open/);
    expect((await stat(join(graphs, name))).size).toBeGreaterThan(1000);

    // A changed model file (new modification time) and another level each get their own graph.
    await utimes(model, new Date(), new Date(Date.now() + 5000));
    await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs }));
    await outputOf(await openModelSession(model, { intraOpNumThreads: 1, optimizedModelDir: graphs, graphOptimizationLevel: 'basic' }));
    const names = (await readdir(graphs)).sort();
    expect(names).toHaveLength(3);
    expect(names.filter((n) => n.endsWith('.basic.onnx'))).toHaveLength(1);
    expect(names.every((n) => !n.endsWith('.tmp'))).toBe(true);
  });

  it('opens the model without the cache, with a warning, when the cache folder cannot be made', async () => {
    const { model, graphs } = await setup();
    await writeFile(graphs, 'a file where the folder should be');
    const warnings: string[] = [];
    const out = await outputOf(
      await openModelSession(model, {
        intraOpNumThreads: 1,
        optimizedModelDir: join(graphs, 'sub'),
        logger: { warn: (m) => warnings.push(m) },
      }),
    );
    expect(out.length).toBe(2 * 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unusable/);
  });
});
