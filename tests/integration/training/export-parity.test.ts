// The requirement: a tensor exported for training equals the tensor inference feeds the model for the
// same study. Inference runs with fixture models whose keypoints land exactly on the synthetic study's spots;
// those keypoints become the "label coordinates" of the export, and every exported row must equal, bit for bit,
// the model input inference built.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, LEVELS, type Condition } from '../../../src/domain/vocabulary.js';
import { loadModelSet, type LoadedModelSet } from '../../../src/inference/model-set.js';
import { runStudyPipeline } from '../../../src/inference/pipeline/run.js';
import type { StudyKeypoint, StudyResult } from '../../../src/inference/types.js';
import { exportTrainingTensors } from '../../../src/training/export/export-tensors.js';
import type { LabelledStudy, LabelPoint } from '../../../src/training/export/labelled-study.js';
import { writeFixtureModelSet } from '../../fixtures/models/fixture-model-set.js';
import { syntheticStudy } from '../../unit/inference/support/synthetic-study.js';

const SIZES = { keypointSize: 64, roiSize: 32 };
let dir: string;
let set: LoadedModelSet;
const fed = new Map<string, Float32Array>();
let result: StudyResult;
let index: {
  studies: { studyId: string; fold: number; labels: Record<string, number[]> }[];
  keypoints: Record<
    string,
    { file: string; shape: number[]; samples: { studyId: string; points: ([number, number] | null)[]; mmPerPixel?: number }[] }
  >;
  rois: Record<string, { file: string; shape: number[]; samples: { studyId: string; level: string }[] }>;
};
const study = syntheticStudy('parity', { axialTiltDeg: 6, axialTiltPerLevelDeg: 3 });
const input = { studyId: 'parity', stacks: study.stacks };

function conditionOf(k: StudyKeypoint): Condition {
  if (k.role === 'keypoints-sagittal-t2') return 'SPINAL_CANAL_STENOSIS';
  if (k.role === 'keypoints-sagittal-t1') return k.side === 'LEFT' ? 'LEFT_NEURAL_FORAMINAL_NARROWING' : 'RIGHT_NEURAL_FORAMINAL_NARROWING';
  return k.side === 'LEFT' ? 'LEFT_SUBARTICULAR_STENOSIS' : 'RIGHT_SUBARTICULAR_STENOSIS';
}

async function rows(group: { file: string; shape: number[] }): Promise<Float32Array[]> {
  const bytes = await readFile(join(dir, 'tensors', group.file));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const n = group.shape[0];
  const len = group.shape.slice(1).reduce((a, b) => a * b, 1);
  expect(all.length).toBe(n * len);
  return Array.from({ length: n }, (_, i) => all.slice(i * len, (i + 1) * len));
}

const concat = (parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spinegraph-export-parity-'));
  await writeFixtureModelSet(join(dir, 'set'), SIZES);
  const loaded = await loadModelSet(join(dir, 'set'), { intraOpNumThreads: 1 });
  set = {
    ...loaded,
    models: loaded.models.map((m) => ({
      ...m,
      session: {
        ...m.session,
        run: (feeds) => {
          // First fold of each role: every fold of a role is fed the same tensor.
          if (!fed.has(m.manifest.role)) fed.set(m.manifest.role, Float32Array.from(Object.values(feeds)[0].data as Float32Array));
          return m.session.run(feeds);
        },
      },
    })),
  };
  result = await runStudyPipeline(input, set, { refineKeypoints: true });
  expect(result.missingKeypoints).toEqual([]);
  const points: LabelPoint[] = result.keypoints.map((k) => ({
    condition: conditionOf(k),
    level: k.level,
    seriesId: k.seriesId,
    sopInstanceUid: k.sopInstanceUid,
    x: k.pixel.x,
    y: k.pixel.y,
  }));
  const labelled: LabelledStudy = {
    input,
    grades: [
      { condition: 'SPINAL_CANAL_STENOSIS', level: 'L4_L5', severity: 'SEVERE' },
      { condition: 'LEFT_SUBARTICULAR_STENOSIS', level: 'L1_L2', severity: 'MODERATE' },
    ],
    points,
  };
  await exportTrainingTensors([labelled], {
    outDir: join(dir, 'tensors'),
    sizes: SIZES,
    folds: new Map([['parity', 0]]),
    meta: { cohort: 'parity' },
  });
  index = JSON.parse(await readFile(join(dir, 'tensors', 'index.json'), 'utf8'));
});
afterAll(async () => {
  await set?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('training export parity with inference', () => {
  it('exports keypoint inputs equal to what the keypoint models were fed', async () => {
    for (const role of ['keypoints-sagittal-t2', 'keypoints-sagittal-t1', 'keypoints-axial']) {
      const exported = concat(await rows(index.keypoints[role]));
      expect(fed.get(role)).toBeDefined();
      expect(exported).toEqual(fed.get(role));
    }
    expect(index.keypoints['keypoints-axial'].shape).toEqual([5, 3, 64, 64]);
    expect(index.keypoints['keypoints-sagittal-t1'].shape).toEqual([2, 3, 64, 64]);
  });

  it('exports ROI stacks that reassemble into exactly the classifier inputs', async () => {
    const byKind = new Map<string, Map<string, Float32Array>>();
    for (const [kind, group] of Object.entries(index.rois)) {
      const data = await rows(group);
      byKind.set(kind, new Map(group.samples.map((s, i) => [s.level, data[i]])));
    }
    const assemble = (kinds: string[]) => concat(LEVELS.flatMap((l) => kinds.map((k) => byKind.get(k)!.get(l)!)));
    expect(assemble(['SAG_T2_SPINAL', 'AXIAL_SPINAL'])).toEqual(fed.get('classifier-spinal'));
    expect(assemble(['SAG_T2_SPINAL', 'SAG_T1_LEFT', 'SAG_T1_RIGHT', 'AXIAL_LEFT', 'AXIAL_RIGHT'])).toEqual(fed.get('classifier-global'));
    // Split models run one sample per variant and level, variants outermost.
    expect(
      concat([...LEVELS.map((l) => byKind.get('AXIAL_LEFT')!.get(l)!), ...LEVELS.map((l) => byKind.get('AXIAL_RIGHT')!.get(l)!)]),
    ).toEqual(fed.get('classifier-subarticular'));
    expect(
      concat([...LEVELS.map((l) => byKind.get('SAG_T1_LEFT')!.get(l)!), ...LEVELS.map((l) => byKind.get('SAG_T1_RIGHT')!.get(l)!)]),
    ).toEqual(fed.get('classifier-foraminal'));
  });

  it("places every heatmap target where inference decodes its keypoint from (the seed's convention)", () => {
    // Target = x_norm * W (CoordDataset.create_heatmaps); decoding x_norm = argmax / W inverts it, so a keypoint
    // inference decoded at heatmap pixel (u, v) comes back as a target at exactly (u, v).
    const t2 = index.keypoints['keypoints-sagittal-t2'].samples[0];
    for (const k of result.keypoints.filter((kp) => kp.role === 'keypoints-sagittal-t2')) {
      const p = t2.points[LEVELS.indexOf(k.level)];
      expect(p).not.toBeNull();
      expect(p![0]).toBeCloseTo(k.normalized!.x * 64, 9);
      expect(p![1]).toBeCloseTo(k.normalized!.y * 64, 9);
      // The synthetic Sag T2 slices are 128 columns x 180 rows, resized to 64 x 64: x_norm = x / 128.
      expect(p![0]).toBeCloseTo((k.pixel.x / 128) * 64, 9);
      expect(p![1]).toBeCloseTo((k.pixel.y / 180) * 64, 9);
    }
    const axial = index.keypoints['keypoints-axial'].samples;
    for (const k of result.keypoints.filter((kp) => kp.role === 'keypoints-axial')) {
      const sample = axial[LEVELS.indexOf(k.level)];
      const p = sample.points[k.side === 'LEFT' ? 0 : 1];
      expect(p).not.toBeNull();
      expect(Number.isFinite(sample.mmPerPixel)).toBe(true);
      expect(p![0]).toBeGreaterThanOrEqual(-0.5);
      expect(p![0]).toBeLessThanOrEqual(63.5);
    }
  });

  it('writes labels per condition in level order with -1 for ungraded', () => {
    expect(index.studies).toEqual([
      {
        studyId: 'parity',
        fold: 0,
        labels: { SPINAL_CANAL_STENOSIS: [-1, -1, -1, 2, -1], LEFT_SUBARTICULAR_STENOSIS: [1, -1, -1, -1, -1] },
      },
    ]);
    expect(CONDITIONS).toContain('SPINAL_CANAL_STENOSIS');
  });
});
