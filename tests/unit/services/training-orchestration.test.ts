// The shared training steps that need neither a database nor the trainer: which validation folds a run trains, and
// which trainer outputs become a model set (TRAINING jobs keep the run records; the demo build rewrites manifests).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyModelFiles, resolveTrainFolds } from '../../../src/services/training-orchestration.js';

describe('resolveTrainFolds', () => {
  it('trains every fold unless told which', () => {
    expect(resolveTrainFolds(3)).toEqual([0, 1, 2]);
    expect(resolveTrainFolds(5, [0, 3])).toEqual([0, 3]);
  });

  it('refuses a fold the cohort does not have, as bad user input', () => {
    for (const folds of [[5], [-1], [1.5]])
      expect(() => resolveTrainFolds(5, folds)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', message: 'trainFolds must lie in 0..4' }),
      );
  });
});

describe('copyModelFiles', () => {
  let from: string;
  let to: string;
  const OUTPUTS = [
    'a-fold0.onnx',
    'a-fold0.manifest.json',
    'a-fold0.check.json',
    'a-fold0.oof.json',
    'run-summary.json',
    'request.json',
    'log.txt',
  ];

  beforeEach(async () => {
    from = await mkdtemp(join(tmpdir(), 'spinegraph-train-out-'));
    to = await mkdtemp(join(tmpdir(), 'spinegraph-train-set-'));
    for (const f of OUTPUTS) await writeFile(join(from, f), `content of ${f}`);
  });
  afterEach(async () => {
    await rm(from, { recursive: true, force: true });
    await rm(to, { recursive: true, force: true });
  });

  it('copies models, manifests and check files, and the run records when asked', async () => {
    await copyModelFiles(from, to, { withRunRecords: true });
    expect((await readdir(to)).sort()).toEqual(
      ['a-fold0.check.json', 'a-fold0.manifest.json', 'a-fold0.onnx', 'a-fold0.oof.json', 'run-summary.json'].sort(),
    );
    expect(await readFile(join(to, 'a-fold0.onnx'), 'utf8')).toBe('content of a-fold0.onnx');
  });

  it('leaves the run records out and writes each manifest as rewritten', async () => {
    await copyModelFiles(from, to, { withRunRecords: false, rewriteManifest: async (p) => `rewritten ${await readFile(p, 'utf8')}` });
    expect((await readdir(to)).sort()).toEqual(['a-fold0.check.json', 'a-fold0.manifest.json', 'a-fold0.onnx']);
    expect(await readFile(join(to, 'a-fold0.manifest.json'), 'utf8')).toBe('rewritten content of a-fold0.manifest.json');
  });
});
