// Where the study viewer opens for a review-queue row (public/js/row-slice.js): the row's labelled point first,
// else the keypoint of the series, level and side that grade its condition (a manual correction before the model's).
import { describe, expect, it } from 'vitest';
import { rowOfHash, sliceOfRow } from '../../../public/js/row-slice.js';

const series = [
  { id: 't1', type: 'SAGITTAL_T1', instances: [{ id: 't1-0' }, { id: 't1-1' }, { id: 't1-2' }] },
  { id: 't2', type: 'SAGITTAL_T2_STIR', instances: [{ id: 't2-0' }, { id: 't2-1' }] },
  { id: 'ax', type: 'AXIAL_T2', instances: [{ id: 'ax-0' }, { id: 'ax-1' }, { id: 'ax-2' }] },
];
const kp = (seriesId: string, instanceId: string | null, level: string, side: string, source = 'MODEL') => ({
  seriesId,
  instanceId,
  level,
  side,
  source,
});

describe('sliceOfRow', () => {
  const keypoints = [
    kp('t2', 't2-1', 'L4_L5', 'NONE'),
    kp('t1', 't1-0', 'L4_L5', 'LEFT'),
    kp('t1', 't1-2', 'L4_L5', 'RIGHT'),
    kp('ax', 'ax-1', 'L4_L5', 'LEFT'),
    kp('ax', 'ax-2', 'L4_L5', 'RIGHT'),
  ];

  it('opens at the labelled point of the row when it lies on a slice of the study', () => {
    const labelPoints = [{ condition: 'RIGHT_SUBARTICULAR_STENOSIS', level: 'L4_L5', seriesId: 'ax', instanceId: 'ax-0' }];
    expect(sliceOfRow({ series, keypoints, labelPoints }, 'RIGHT_SUBARTICULAR_STENOSIS', 'L4_L5')).toEqual({
      seriesId: 'ax',
      instanceId: 'ax-0',
      from: 'label',
    });
  });

  it('else at the keypoint of the series, level and side that grade the condition', () => {
    const study = { series, keypoints, labelPoints: [] };
    expect(sliceOfRow(study, 'SPINAL_CANAL_STENOSIS', 'L4_L5')).toMatchObject({ instanceId: 't2-1', from: 'keypoint' });
    expect(sliceOfRow(study, 'LEFT_NEURAL_FORAMINAL_NARROWING', 'L4_L5')).toMatchObject({ instanceId: 't1-0' });
    expect(sliceOfRow(study, 'RIGHT_NEURAL_FORAMINAL_NARROWING', 'L4_L5')).toMatchObject({ instanceId: 't1-2' });
    expect(sliceOfRow(study, 'RIGHT_SUBARTICULAR_STENOSIS', 'L4_L5')).toMatchObject({ seriesId: 'ax', instanceId: 'ax-2' });
    expect(sliceOfRow(study, 'SPINAL_CANAL_STENOSIS', 'L1_L2')).toBeNull();
  });

  it("prefers a reader's correction, and ignores points on no slice of the study", () => {
    const study = {
      series,
      keypoints: [kp('t2', 't2-0', 'L5_S1', 'NONE'), kp('t2', 't2-1', 'L5_S1', 'NONE', 'MANUAL'), kp('t1', null, 'L5_S1', 'LEFT')],
      labelPoints: [{ condition: 'LEFT_NEURAL_FORAMINAL_NARROWING', level: 'L5_S1', seriesId: 'gone', instanceId: 'gone-0' }],
    };
    expect(sliceOfRow(study, 'SPINAL_CANAL_STENOSIS', 'L5_S1')).toMatchObject({ instanceId: 't2-1' });
    expect(sliceOfRow(study, 'LEFT_NEURAL_FORAMINAL_NARROWING', 'L5_S1')).toBeNull();
  });
});

describe('rowOfHash', () => {
  it('reads the row of a review-queue link, and nothing else', () => {
    expect(rowOfHash('#/studies/abc?condition=SPINAL_CANAL_STENOSIS&level=L4_L5')).toEqual({
      condition: 'SPINAL_CANAL_STENOSIS',
      level: 'L4_L5',
    });
    expect(rowOfHash('#/studies/abc')).toBeNull();
    expect(rowOfHash('#/studies/abc?condition=NOT_A_CONDITION&level=L4_L5')).toBeNull();
  });
});
