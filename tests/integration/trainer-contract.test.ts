// The manifest contract against the real trainer: a `tiny` run of src/training/python (Debian's PyTorch) must load
// with every check file verified and drive the whole pipeline. Skipped where /usr/bin/python3 has no torch.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSet } from '../../src/inference/model-set.js';
import { runStudyPipeline } from '../../src/inference/pipeline/run.js';
import { syntheticStudy } from '../unit/inference/support/synthetic-study.js';

const PYTHON = '/usr/bin/python3';
const TRAINER = resolve('src/training/python');
function trainerAvailable(): boolean {
  if (!existsSync(PYTHON) || !existsSync(join(TRAINER, 'spinetrainer'))) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!trainerAvailable())('trainer contract', () => {
  it('loads a tiny trained set with its check files and runs it on a study', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spinegraph-trainer-'));
    try {
      const script = [
        'import sys',
        'from pathlib import Path',
        "sys.path.insert(0, 'tests')",
        'from synthetic import write_export, write_request',
        `base = Path(${JSON.stringify(dir)})`,
        "index = write_export(base / 'tensors', studies=6, folds=2)",
        "write_request(base / 'request.json', index, base / 'out', folds=[0], epochs=1,",
        "              roles=['keypoints-sagittal-t2', 'keypoints-axial', 'classifier-spinal', 'classifier-global'])",
      ].join('\n');
      execFileSync(PYTHON, ['-c', script], { cwd: TRAINER, timeout: 120_000 });
      execFileSync(PYTHON, ['-m', 'spinetrainer.train', '--request', join(dir, 'request.json')], {
        cwd: TRAINER,
        env: { ...process.env, PYTHONPATH: TRAINER },
        stdio: 'ignore',
        timeout: 600_000,
      });
      const set = await loadModelSet(join(dir, 'out'), { verifyChecks: true, intraOpNumThreads: 1 });
      try {
        expect(set.models.map((m) => m.manifest.role).sort()).toEqual([
          'classifier-global',
          'classifier-spinal',
          'keypoints-axial',
          'keypoints-sagittal-t2',
        ]);
        const r = await runStudyPipeline({ studyId: 't', stacks: syntheticStudy('t').stacks }, set, { refineKeypoints: true });
        expect(r.predictions).toHaveLength(25);
        for (const p of r.predictions) expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 9);
        // No Sag T1 keypoint model in this set: its ROIs are zero-filled in the global model, and say so. (A one-epoch
        // model's other keypoints may put ROI boxes past the image edge, which the seed leaves zero too.)
        const foraminal = r.predictions.find((p) => p.condition === 'LEFT_NEURAL_FORAMINAL_NARROWING');
        expect(foraminal?.fallback).toMatch(/SAG_T1_LEFT: no SAGITTAL_T1 keypoint at L1_L2 LEFT/);
        expect(r.keypoints.filter((k) => k.role === 'keypoints-sagittal-t2')).toHaveLength(5);
      } finally {
        await set.release();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
