// Where the exporter puts heatmap targets, and which label points it cannot use.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEVELS } from '../../../src/domain/vocabulary.js';
import { exportTrainingTensors, type TensorExportResult } from '../../../src/training/export/export-tensors.js';
import type { LabelPoint } from '../../../src/training/export/labelled-study.js';
import { syntheticStudy } from '../inference/support/synthetic-study.js';

const study = syntheticStudy('targets', { axialTiltDeg: 5, axialTiltPerLevelDeg: 6 });
const seriesOf = (uid: string) => study.stacks.find((s) => s.slices.some((x) => x.sopInstanceUid === uid))!.seriesId;
const point = (
  condition: LabelPoint['condition'],
  level: LabelPoint['level'],
  at: { pixel: { x: number; y: number }; sop: string },
): LabelPoint => ({
  condition,
  level,
  seriesId: seriesOf(at.sop),
  sopInstanceUid: at.sop,
  x: at.pixel.x,
  y: at.pixel.y,
});

let dir: string;
let result: TensorExportResult;
let index: { keypoints: Record<string, { samples: { points: ([number, number] | null)[]; level?: string; side?: string }[] }> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-export-targets-'));
  const points: LabelPoint[] = [
    ...LEVELS.map((l) => point('SPINAL_CANAL_STENOSIS', l, study.sagT2[l])),
    ...LEVELS.map((l) => point('LEFT_NEURAL_FORAMINAL_NARROWING', l, study.sagT1.LEFT[l])),
    ...LEVELS.map((l) => point('RIGHT_SUBARTICULAR_STENOSIS', l, study.axial[l].RIGHT)),
    // Marked on the L4/L5 stack, which is tilted differently from the L1/L2 stack its level's input uses.
    point('LEFT_SUBARTICULAR_STENOSIS', 'L1_L2', study.axial.L4_L5.LEFT),
    // An instance that was never imported, and a spinal label marked on a Sag T1 slice.
    { condition: 'LEFT_SUBARTICULAR_STENOSIS', level: 'L2_L3', seriesId: 'nowhere', sopInstanceUid: '9.9.9', x: 1, y: 1 },
    point('SPINAL_CANAL_STENOSIS', 'L5_S1', study.sagT1.RIGHT.L5_S1),
  ];
  result = await exportTrainingTensors([{ input: { studyId: 't', stacks: study.stacks }, grades: [], points }], {
    outDir: dir,
    sizes: { keypointSize: 64, roiSize: 32 },
    roles: ['keypoints-sagittal-t2', 'keypoints-sagittal-t1', 'keypoints-axial'],
    folds: new Map([['t', 0]]),
  });
  index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('keypoint targets', () => {
  it('leaves out label points whose instance is unknown or on the wrong series type', () => {
    expect(result.unplacedLabels).toBe(2);
    expect(result.roiRows).toEqual({});
    expect(result.keypointRows).toEqual({ 'keypoints-sagittal-t2': 1, 'keypoints-sagittal-t1': 2, 'keypoints-axial': 5 });
  });

  it('gives each sagittal sample the points of its own side and nulls for the other', () => {
    const [left, right] = index.keypoints['keypoints-sagittal-t1'].samples;
    expect(left.side).toBe('LEFT');
    expect(left.points.every((p) => p !== null)).toBe(true);
    expect(right.points).toEqual([null, null, null, null, null]);
    expect(index.keypoints['keypoints-sagittal-t2'].samples[0].points.every((p) => p !== null)).toBe(true);
  });

  it('keeps an axial label marked on another stack of the series, as the seed does (x_norm * size)', () => {
    const axial = index.keypoints['keypoints-axial'].samples;
    expect(axial.map((s) => s.level)).toEqual([...LEVELS]);
    // The L1/L2 left point was marked on the L4/L5 stack: the seed's target is still its x_norm, y_norm * 64.
    const marked = study.axial.L4_L5.LEFT.pixel;
    expect(axial[0].points[0]).toEqual([(marked.x / 128) * 64, (marked.y / 128) * 64]);
    for (const s of axial) {
      const right = s.points[1];
      expect(right).not.toBeNull();
      expect(right).toEqual([
        (study.axial[s.level as keyof typeof study.axial].RIGHT.pixel.x / 128) * 64,
        (study.axial[s.level as keyof typeof study.axial].RIGHT.pixel.y / 128) * 64,
      ]);
    }
  });
});
