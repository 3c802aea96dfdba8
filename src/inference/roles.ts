// The registry of model roles: what each role is run over and what it grades. The pipeline's steps are
// generic over this table and the manifests; adding a model never adds a branch.
import { LEVELS, type Condition, type Level, type Side } from '../domain/vocabulary.js';

export const MODEL_ROLES = [
  'keypoints-sagittal-t2',
  'keypoints-sagittal-t1',
  'keypoints-axial',
  'classifier-spinal',
  'classifier-foraminal',
  'classifier-subarticular',
  'classifier-global',
] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** One model input sample of a study: a level and/or a side (undefined level = the whole study). */
export interface Sample {
  readonly level: Level | undefined;
  readonly side: Side;
}

export interface RoleSpec {
  readonly stage: 'keypoints' | 'classifier';
  /** Keypoint stages run in ascending order; axial keypoints need the Sag T2 ones. Classifiers run last. */
  readonly order: number;
  readonly samples: readonly Sample[];
  /** Split classifiers grade one condition per sample (3 logits); the global one lists its conditions. */
  readonly conditionOf?: (sample: Sample) => Condition;
  /** Conditions this role can grade (for a global model: whatever its manifest lists). */
  readonly covers: readonly Condition[] | 'from-manifest';
}

const perLevel = (side: Side): Sample[] => LEVELS.map((level) => ({ level, side }));
const perLevelAndSide: Sample[] = LEVELS.flatMap((level) => [
  { level, side: 'LEFT' as const },
  { level, side: 'RIGHT' as const },
]);
const bySide = (left: Condition, right: Condition) => (s: Sample) => (s.side === 'RIGHT' ? right : left);

export const ROLE_SPECS: Readonly<Record<ModelRole, RoleSpec>> = {
  'keypoints-sagittal-t2': { stage: 'keypoints', order: 0, samples: [{ level: undefined, side: 'NONE' }], covers: [] },
  // One run per side: the 3-slice input sits on that side's foramina.
  'keypoints-sagittal-t1': {
    stage: 'keypoints',
    order: 0,
    samples: [
      { level: undefined, side: 'LEFT' },
      { level: undefined, side: 'RIGHT' },
    ],
    covers: [],
  },
  'keypoints-axial': { stage: 'keypoints', order: 1, samples: perLevel('NONE'), covers: [] },
  'classifier-spinal': {
    stage: 'classifier',
    order: 2,
    samples: perLevel('NONE'),
    conditionOf: () => 'SPINAL_CANAL_STENOSIS',
    covers: ['SPINAL_CANAL_STENOSIS'],
  },
  'classifier-foraminal': {
    stage: 'classifier',
    order: 2,
    samples: perLevelAndSide,
    conditionOf: bySide('LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING'),
    covers: ['LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING'],
  },
  'classifier-subarticular': {
    stage: 'classifier',
    order: 2,
    samples: perLevelAndSide,
    conditionOf: bySide('LEFT_SUBARTICULAR_STENOSIS', 'RIGHT_SUBARTICULAR_STENOSIS'),
    covers: ['LEFT_SUBARTICULAR_STENOSIS', 'RIGHT_SUBARTICULAR_STENOSIS'],
  },
  'classifier-global': { stage: 'classifier', order: 2, samples: perLevel('NONE'), covers: 'from-manifest' },
};
