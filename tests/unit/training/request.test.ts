import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrainingRequest, writeTrainingRequest } from '../../../src/training/request.js';

describe('buildTrainingRequest', () => {
  it('writes version 1 with defaults, roles in the trainer order and no undefined fields', async () => {
    const r = buildTrainingRequest({
      outputDir: '/o',
      config: 'tiny',
      tensorIndex: '/t/index.json',
      roles: ['classifier-global', 'keypoints-axial'],
      folds: [2, 0],
    });
    expect(r).toEqual({
      version: 1,
      outputDir: '/o',
      config: 'tiny',
      seed: 0,
      tensorIndex: '/t/index.json',
      device: 'auto',
      folds: [0, 2],
      roles: ['keypoints-axial', 'classifier-global'],
    });
    const dir = await mkdtemp(join(tmpdir(), 'sg-request-'));
    try {
      await writeTrainingRequest(join(dir, 'r.json'), r);
      expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'))).toEqual(r);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects what the trainer would reject, naming every problem', () => {
    expect(() =>
      buildTrainingRequest({
        outputDir: '/o',
        config: 'huge' as 'tiny',
        tensorIndex: '/t',
        seed: -1,
        folds: [1, 1],
        epochs: 0,
        roles: ['keypoints-coronal' as 'keypoints-axial'],
      }),
    ).toThrow(/config must be one of.*seed must be.*folds must not repeat.*unknown role keypoints-coronal.*epochs must be/);
  });
});
