// The reference pipeline's input layout for each role, as a manifest in the trainer's format, so that code with no
// trained model yet (the training-tensor exporter) renders exactly what inference will feed the trained one.
import { CONDITIONS, LEVEL_INFO, LEVELS, SEVERITIES } from '../domain/vocabulary.js';
import { parseManifest, type ModelManifest } from './manifest.js';
import type { ModelRole } from './roles.js';

/** Sag T1 keypoint slices sit 16.8 mm either side of the middle. */
export const SAG_T1_KEYPOINT_OFFSET_MM = 16.8;
export const ROI_MM = 50;
export const AXIAL_MATCH_MAX_MM = 5;

const t1Offsets = (sign: number) => Object.fromEntries(LEVELS.map((l) => [l, sign * LEVEL_INFO[l].sagT1OffsetMm]));
const nearest = { mode: 'nearest-to-projected-point', maxDistanceMm: AXIAL_MATCH_MAX_MM };

/** ROI kinds as the reference pipeline cuts them (docs/training-format.md, "What each group holds"). */
export const REFERENCE_ROIS = {
  SAG_T2_SPINAL: { series: 'SAGITTAL_T2_STIR', sliceSelection: { mode: 'middle' }, mirrored: false },
  AXIAL_SPINAL: { series: 'AXIAL_T2', sliceSelection: nearest, mirrored: false },
  SAG_T1_LEFT: {
    series: 'SAGITTAL_T1',
    sliceSelection: { mode: 'offset-mm', side: 'LEFT', offsetMmByLevel: t1Offsets(1) },
    mirrored: false,
  },
  SAG_T1_RIGHT: {
    series: 'SAGITTAL_T1',
    sliceSelection: { mode: 'offset-mm', side: 'RIGHT', offsetMmByLevel: t1Offsets(-1) },
    mirrored: false,
  },
  AXIAL_LEFT: { series: 'AXIAL_T2', sliceSelection: nearest, mirrored: false },
  AXIAL_RIGHT: { series: 'AXIAL_T2', sliceSelection: nearest, mirrored: true },
} as const;

type Variant = { rois: readonly (keyof typeof REFERENCE_ROIS)[]; conditions: readonly string[] };

/** Split and global classifiers: which ROI kinds fill the slots and which conditions the logits grade. */
export const REFERENCE_VARIANTS: Readonly<Record<Exclude<ModelRole, `keypoints-${string}`>, readonly Variant[]>> = {
  'classifier-spinal': [{ rois: ['SAG_T2_SPINAL', 'AXIAL_SPINAL'], conditions: ['SPINAL_CANAL_STENOSIS'] }],
  'classifier-foraminal': [
    { rois: ['SAG_T1_LEFT'], conditions: ['LEFT_NEURAL_FORAMINAL_NARROWING'] },
    { rois: ['SAG_T1_RIGHT'], conditions: ['RIGHT_NEURAL_FORAMINAL_NARROWING'] },
  ],
  'classifier-subarticular': [
    { rois: ['AXIAL_LEFT'], conditions: ['LEFT_SUBARTICULAR_STENOSIS'] },
    { rois: ['AXIAL_RIGHT'], conditions: ['RIGHT_SUBARTICULAR_STENOSIS'] },
  ],
  'classifier-global': [{ rois: ['SAG_T2_SPINAL', 'SAG_T1_LEFT', 'SAG_T1_RIGHT', 'AXIAL_LEFT', 'AXIAL_RIGHT'], conditions: CONDITIONS }],
};

const KEYPOINT_INPUTS = {
  'keypoints-sagittal-t2': { series: 'SAGITTAL_T2_STIR', slices: 5, sliceSelection: { mode: 'middle' }, channels: LEVELS },
  'keypoints-sagittal-t1': {
    series: 'SAGITTAL_T1',
    slices: 3,
    sliceSelection: { mode: 'offset-mm', offsetMm: { LEFT: SAG_T1_KEYPOINT_OFFSET_MM, RIGHT: -SAG_T1_KEYPOINT_OFFSET_MM } },
    channels: LEVELS,
  },
  'keypoints-axial': { series: 'AXIAL_T2', slices: 3, sliceSelection: nearest, channels: ['LEFT', 'RIGHT'] },
} as const;

export interface LayoutSizes {
  /** Keypoint model input size (square): 512 in the reference, 256 / 64 in the demo / tiny configs. */
  readonly keypointSize: number;
  /** ROI size (square): 128 (ResNet18) or 224 in the reference. */
  readonly roiSize: number;
  /** Slices per ROI (5 in the reference). */
  readonly roiSlices?: number;
}

/** The manifest JSON the trainer would write for `role` at these sizes (no model file behind it). */
export function referenceManifestJson(role: ModelRole, sizes: LayoutSizes): Record<string, unknown> {
  const base = {
    formatVersion: 1,
    role,
    fold: null,
    architecture: 'reference-layout',
    onnx: { file: `${role}.onnx`, sha256: '0'.repeat(64) },
  };
  const common = { interpolation: 'bicubic', normalisation: 'zscore-stack' };
  if (role === 'keypoints-sagittal-t2' || role === 'keypoints-sagittal-t1' || role === 'keypoints-axial') {
    const k = KEYPOINT_INPUTS[role];
    const s = sizes.keypointSize;
    return {
      ...base,
      kind: 'keypoints',
      input: { name: 'image', shape: ['batch', k.slices, s, s], series: k.series },
      preprocessing: { ...common, sliceSelection: k.sliceSelection },
      output: { name: 'heatmaps', kind: 'heatmap', shape: ['batch', k.channels.length, s, s], channels: k.channels },
    };
  }
  const variants = REFERENCE_VARIANTS[role];
  const kinds = [...new Set(variants.flatMap((v) => v.rois))];
  const r = sizes.roiSize;
  return {
    ...base,
    kind: 'classifier',
    input: { name: 'rois', shape: ['batch', variants[0].rois.length, sizes.roiSlices ?? 5, r, r], variants, missingRoi: 'zeros' },
    preprocessing: { ...common, roiMm: ROI_MM, rois: Object.fromEntries(kinds.map((k) => [k, REFERENCE_ROIS[k]])) },
    output: {
      name: 'logits',
      kind: 'class-logits',
      shape: ['batch', variants[0].conditions.length * 3],
      conditionCount: variants[0].conditions.length,
      classes: SEVERITIES,
    },
  };
}

/** The reference layout of `role`, parsed like any manifest. */
export function referenceManifest(role: ModelRole, sizes: LayoutSizes): ModelManifest {
  const r = parseManifest(referenceManifestJson(role, sizes), `${role}-reference`);
  if (!r.ok) throw new Error(`internal: reference layout of ${role} is invalid: ${r.issues.join('; ')}`);
  return r.manifest;
}
