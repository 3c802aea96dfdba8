// Labelled studies -> the trainer's tensors (docs/training-format.md, section 2): index.json plus one float32
// file per group, every tensor rendered by inference's own code (renderStudySamples over the reference layout),
// with ROIs and the axial slice choice centred on the label coordinates.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageFrame } from '../../domain/image.js';
import { LEVELS, SEVERITIES, type Condition, type Level } from '../../domain/vocabulary.js';
import {
  MODEL_ROLES,
  REFERENCE_VARIANTS,
  referenceManifest,
  renderStudySamples,
  type LayoutSizes,
  type ModelRole,
  type RoiKind,
  type StudyInput,
} from '../../inference/index.js';
import { keypointTargets, mmPerInputPixel, type TargetPoint } from './keypoint-targets.js';
import { locateLabels, type LocatedLabel } from './label-keypoints.js';
import type { LabelledStudy } from './labelled-study.js';
import { F32GroupWriter } from './f32-group-writer.js';

export const TENSOR_FORMAT_VERSION = 1;
export const INDEX_FILE = 'index.json';

type KeypointRole = Extract<ModelRole, `keypoints-${string}`>;
type ClassifierRole = Exclude<ModelRole, KeypointRole>;
const isKeypointRole = (r: ModelRole): r is KeypointRole => r.startsWith('keypoints-');

const KEYPOINT_FILES: Readonly<Record<KeypointRole, string>> = {
  'keypoints-sagittal-t2': 'kp-sag-t2.f32',
  'keypoints-sagittal-t1': 'kp-sag-t1.f32',
  'keypoints-axial': 'kp-axial.f32',
};

/** The split classifier whose reference layout renders each ROI kind (every kind exactly once per study). */
const ROI_RENDERER: Readonly<Record<RoiKind, ClassifierRole>> = {
  SAG_T2_SPINAL: 'classifier-spinal',
  AXIAL_SPINAL: 'classifier-spinal',
  SAG_T1_LEFT: 'classifier-foraminal',
  SAG_T1_RIGHT: 'classifier-foraminal',
  AXIAL_LEFT: 'classifier-subarticular',
  AXIAL_RIGHT: 'classifier-subarticular',
};

const roiFile = (kind: RoiKind) => `roi-${kind.toLowerCase().replaceAll('_', '-')}.f32`;

export interface KeypointSampleRecord {
  readonly studyId: string;
  readonly points: TargetPoint[];
  readonly mmPerPixel?: number;
  readonly side?: 'LEFT' | 'RIGHT';
  readonly level?: Level;
}
export interface RoiSampleRecord {
  readonly studyId: string;
  readonly level: Level;
}

export interface TensorExportOptions {
  readonly outDir: string;
  readonly sizes: LayoutSizes;
  /** Roles whose inputs to export (default all 7); classifiers pull in the ROI kinds their variants use. */
  readonly roles?: readonly ModelRole[];
  /** studyId -> fold, for every study exported (see folds.ts). */
  readonly folds: ReadonlyMap<string, number>;
  /** Free-form description copied into every manifest's provenance.exportMeta; roiCentres is always "labels". */
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  readonly onStudy?: (done: number, total: number) => void;
}

export interface TensorExportResult {
  readonly indexPath: string;
  readonly studies: number;
  readonly keypointRows: Partial<Record<KeypointRole, number>>;
  readonly roiRows: Partial<Record<RoiKind, number>>;
  /** Label points whose instance is not among the study's slices (or on the wrong series type). */
  readonly unplacedLabels: number;
  readonly bytes: number;
}

/** condition -> severity index per level (0/1/2, -1 = not graded), as the index stores it. */
export function labelRows(study: LabelledStudy): Partial<Record<Condition, number[]>> {
  const out: Partial<Record<Condition, number[]>> = {};
  for (const g of study.grades) {
    const row = (out[g.condition] ??= LEVELS.map(() => -1));
    row[LEVELS.indexOf(g.level)] = SEVERITIES.indexOf(g.severity);
  }
  return out;
}

export const anySevereLabel = (study: LabelledStudy): boolean => study.grades.some((g) => g.severity === 'SEVERE');

/** Each slice decoded once per study however many layouts render it (each render starts a fresh pipeline state). */
function withFrameCache(study: StudyInput): StudyInput {
  return {
    studyId: study.studyId,
    stacks: study.stacks.map((stack) => ({
      ...stack,
      slices: stack.slices.map((s) => {
        let frame: Promise<ImageFrame> | undefined;
        return {
          sopInstanceUid: s.sopInstanceUid,
          instanceNumber: s.instanceNumber,
          instanceId: s.instanceId,
          geometry: s.geometry,
          load: () => (frame ??= s.load()),
        };
      }),
    })),
  };
}

export async function exportTrainingTensors(studies: readonly LabelledStudy[], options: TensorExportOptions): Promise<TensorExportResult> {
  const roles = options.roles ?? MODEL_ROLES;
  const { keypointSize: k, roiSize: r } = options.sizes;
  const roiSlices = options.sizes.roiSlices ?? 5;
  for (const s of studies) {
    if (!options.folds.has(s.input.studyId)) throw new Error(`study ${s.input.studyId} has no fold`);
  }
  await mkdir(options.outDir, { recursive: true });

  const keypointRoles = roles.filter(isKeypointRole);
  const kpWriters = new Map(
    keypointRoles.map((role) => {
      const m = referenceManifest(role, options.sizes);
      const channels = (m.raw as { input: { shape: unknown[] } }).input.shape[1] as number;
      return [role, new F32GroupWriter<KeypointSampleRecord>(options.outDir, KEYPOINT_FILES[role], [channels, k, k])] as const;
    }),
  );
  const roiKinds = [
    ...new Set(roles.filter((x): x is ClassifierRole => !isKeypointRole(x)).flatMap((c) => REFERENCE_VARIANTS[c].flatMap((v) => v.rois))),
  ];
  const roiWriters = new Map(
    roiKinds.map((kind) => [kind, new F32GroupWriter<RoiSampleRecord>(options.outDir, roiFile(kind), [roiSlices, r, r])] as const),
  );
  const roiRenderers = [...new Set(roiKinds.map((kind) => ROI_RENDERER[kind]))];

  let unplacedLabels = 0;
  const indexStudies: { studyId: string; fold: number; labels: Partial<Record<Condition, number[]>> }[] = [];
  try {
    for (const [i, study] of studies.entries()) {
      options.signal?.throwIfAborted();
      const input = withFrameCache(study.input);
      const { located, unplaced } = locateLabels(input, study.points);
      unplacedLabels += unplaced.length;
      const keypoints = located.map((l) => l.keypoint);
      for (const role of keypointRoles) {
        const writer = kpWriters.get(role)!;
        const rendered = await renderStudySamples(referenceManifest(role, options.sizes), input, keypoints);
        for (const sample of rendered.samples) {
          if (!sample.slots[0]?.keypointSlice) continue;
          await writer.append(sample.tensor, {
            studyId: study.input.studyId,
            points: keypointTargets(role, sample, located, { width: k, height: k }),
            ...optionalMm(mmPerInputPixel(sample, { width: k, height: k })),
            ...(role === 'keypoints-sagittal-t1' && sample.sample.side !== 'NONE' ? { side: sample.sample.side } : {}),
            ...(role === 'keypoints-axial' && sample.sample.level ? { level: sample.sample.level } : {}),
          });
        }
      }
      for (const role of roiRenderers) await appendRois(role, input, keypoints, options.sizes, roiWriters);
      indexStudies.push({ studyId: study.input.studyId, fold: options.folds.get(study.input.studyId)!, labels: labelRows(study) });
      options.onStudy?.(i + 1, studies.length);
    }
  } finally {
    await Promise.all([...kpWriters.values(), ...roiWriters.values()].map((w) => w.close()));
  }

  const index = {
    version: TENSOR_FORMAT_VERSION,
    meta: { exporter: 'spinegraph', ...options.meta, roiCentres: 'labels', sizes: { keypoint: k, roi: r, roiSlices } },
    studies: indexStudies,
    keypoints: Object.fromEntries([...kpWriters].map(([role, w]) => [role, w.describe()])),
    rois: Object.fromEntries([...roiWriters].map(([kind, w]) => [kind, w.describe()])),
  };
  const indexPath = join(options.outDir, INDEX_FILE);
  await writeFile(indexPath, JSON.stringify(index));
  const all = [...kpWriters.values(), ...roiWriters.values()];
  return {
    indexPath,
    studies: indexStudies.length,
    keypointRows: Object.fromEntries([...kpWriters].map(([role, w]) => [role, w.rows])),
    roiRows: Object.fromEntries([...roiWriters].map(([kind, w]) => [kind, w.rows])),
    unplacedLabels,
    bytes: all.reduce((a, w) => a + w.bytes, 0),
  };
}

const optionalMm = (mm: number | undefined) => (mm !== undefined && Number.isFinite(mm) && mm > 0 ? { mmPerPixel: mm } : {});

/** Splits each rendered classifier sample into its slots: slot j is one row of the ROI kind the variant puts there. */
async function appendRois(
  role: ClassifierRole,
  input: StudyInput,
  keypoints: LocatedLabel['keypoint'][],
  sizes: LayoutSizes,
  writers: ReadonlyMap<RoiKind, F32GroupWriter<RoiSampleRecord>>,
): Promise<void> {
  const rendered = await renderStudySamples(referenceManifest(role, sizes), input, keypoints);
  for (const sample of rendered.samples) {
    const { level, variant } = sample.sample;
    if (!level) continue;
    const kinds = REFERENCE_VARIANTS[role][variant ?? 0].rois;
    const slotLength = sample.tensor.length / kinds.length;
    for (const [j, kind] of kinds.entries()) {
      const writer = writers.get(kind);
      // A zero-filled slot (unusable ROI) has no row: the trainer feeds zeros there, as inference does.
      if (!writer || !sample.slots[j]) continue;
      await writer.append(sample.tensor.subarray(j * slotLength, (j + 1) * slotLength), { studyId: input.studyId, level });
    }
  }
}
