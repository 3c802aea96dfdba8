// The registry of model roles: which step runs a role, in what order, over which samples. The steps are generic
// over this table and the manifests (classifier samples come from the manifest's variants); adding a model never
// adds a branch.
import { LEVELS, type Level, type SeriesType, type Side } from '../domain/vocabulary.js';

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

/**
 * One model input sample of a study: a level and/or a side (no level = the whole study). Classifier samples
 * also name the manifest variant (which ROI kinds fill the slots, which conditions the logits grade).
 */
export interface Sample {
  readonly level: Level | undefined;
  readonly side: Side;
  readonly variant?: number;
}

export type RoleSpec =
  | {
      readonly stage: 'keypoints';
      /** Keypoint stages run in ascending order: axial keypoints need the Sag T2 ones. */
      readonly order: number;
      readonly series: SeriesType;
      readonly samples: readonly Sample[];
      /** What the heatmaps locate: a level each (sagittal models) or a side each (axial model, one run per level). */
      readonly heatmapsLocate: 'levels' | 'sides';
    }
  | { readonly stage: 'classifier'; readonly order: number };

const LEVEL_SAMPLES: Sample[] = LEVELS.map((level) => ({ level, side: 'NONE' }));

export const ROLE_SPECS: Readonly<Record<ModelRole, RoleSpec>> = {
  'keypoints-sagittal-t2': {
    stage: 'keypoints',
    order: 0,
    series: 'SAGITTAL_T2_STIR',
    samples: [{ level: undefined, side: 'NONE' }],
    heatmapsLocate: 'levels',
  },
  // One run per side: the 3-slice input sits on that side's foramina.
  'keypoints-sagittal-t1': {
    stage: 'keypoints',
    order: 0,
    series: 'SAGITTAL_T1',
    samples: [
      { level: undefined, side: 'LEFT' },
      { level: undefined, side: 'RIGHT' },
    ],
    heatmapsLocate: 'levels',
  },
  'keypoints-axial': { stage: 'keypoints', order: 1, series: 'AXIAL_T2', samples: LEVEL_SAMPLES, heatmapsLocate: 'sides' },
  'classifier-spinal': { stage: 'classifier', order: 2 },
  'classifier-foraminal': { stage: 'classifier', order: 2 },
  'classifier-subarticular': { stage: 'classifier', order: 2 },
  'classifier-global': { stage: 'classifier', order: 2 },
};
