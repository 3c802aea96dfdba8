// `spinegraph export model-inputs`: every tensor a model receives, one .npy per sample (float32, C order, batch
// axis dropped), plus DIR/index.json naming each sample's study, level, side and, per input slot, the series and
// the instance numbers of the slices used. `labels` renders around the label coordinates (what training sees);
// `predicted` around the keypoints the model set's keypoint models find (what inference feeds the classifiers),
// and also writes DIR/coordinates.csv in the seed's generate_coords.py format.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../../db/client.js';
import { AppError } from '../../domain/errors.js';
import { CONDITION_INFO, LEVELS, type Condition, type Level } from '../../domain/vocabulary.js';
import {
  MODEL_ROLES,
  referenceManifest,
  renderStudySamples,
  ROLE_SPECS,
  runStudyPipeline,
  type LayoutSizes,
  type LoadedModelSet,
  type ModelManifest,
  type RenderedSample,
  type StudyKeypoint,
} from '../../inference/index.js';
import { loadLabelledStudies } from '../labelled-studies.js';
import { locateLabels } from '../../training/export/label-keypoints.js';
import { writeNpy } from './npy.js';
import { csvCell } from './csv-cell.js';

export type CoordinateSource = 'labels' | 'predicted';

export interface ModelInputsOptions {
  readonly outDir: string;
  readonly coordinates: CoordinateSource;
  /** Study external ids; all studies when absent. */
  readonly studies?: readonly string[];
  /** The layouts to render: a model set's manifests (one per distinct input layout), or the reference layout. */
  readonly layouts: readonly ModelManifest[];
  /** `predicted`: the set whose keypoint models find the ROI centres. */
  readonly keypointModels?: LoadedModelSet;
  readonly onStudy?: (done: number, total: number) => void;
}

export interface SampleSlotRecord {
  /** Classifier slots: the ROI kind. */
  readonly roi: string | null;
  readonly seriesExternalId: string | null;
  /** Per channel; null for a zero channel (past the series' end, an ROI box past the image edge, an unusable slot). */
  readonly instanceNumbers: readonly (number | null)[];
}

export interface SampleRecord {
  readonly file: string;
  readonly role: string;
  readonly model: string;
  readonly studyExternalId: string;
  readonly level: Level | null;
  readonly side: 'LEFT' | 'RIGHT' | null;
  readonly shape: readonly number[];
  readonly slots: readonly SampleSlotRecord[];
  /** Slots fed zeros and why. */
  readonly zeroFilled: readonly string[];
}

export interface ModelInputsResult {
  readonly studies: number;
  readonly samples: number;
  readonly skipped: number;
  readonly indexPath: string;
}

/** The reference layout of every role at these sizes (no model set given). */
export function referenceLayouts(sizes: LayoutSizes): ModelManifest[] {
  return MODEL_ROLES.map((role) => referenceManifest(role, sizes));
}

/** One manifest per distinct input layout (folds of a role share one). */
export function distinctLayouts(manifests: readonly ModelManifest[]): ModelManifest[] {
  const seen = new Map<string, ModelManifest>();
  for (const m of manifests) {
    const s = m.spec;
    const key = JSON.stringify([m.role, s.kind === 'keypoints' ? [s.input, s.view] : [s.input, s.variants, s.roiMm]]);
    if (!seen.has(key)) seen.set(key, m);
  }
  return [...seen.values()].sort((a, b) => MODEL_ROLES.indexOf(a.role) - MODEL_ROLES.indexOf(b.role));
}

function sampleSide(m: ModelManifest, sample: RenderedSample): 'LEFT' | 'RIGHT' | null {
  if (sample.sample.side === 'LEFT' || sample.sample.side === 'RIGHT') return sample.sample.side;
  if (m.spec.kind !== 'classifier') return null;
  const sides = new Set(m.spec.variants[sample.sample.variant ?? 0].conditions.map((c) => CONDITION_INFO[c].side));
  return sides.size === 1 && !sides.has('NONE') ? ([...sides][0] as 'LEFT' | 'RIGHT') : null;
}

function fileName(m: ModelManifest, sample: RenderedSample, side: string | null): string {
  const size = `${m.spec.input.rows}px`;
  const parts = [m.role, size, sample.sample.level, side].filter((p): p is string => !!p);
  return `${parts.join('-')}.npy`;
}

const CSV_CONDITION: Readonly<Record<Condition, string>> = {
  SPINAL_CANAL_STENOSIS: 'Spinal Canal Stenosis',
  LEFT_NEURAL_FORAMINAL_NARROWING: 'Left Neural Foraminal Narrowing',
  RIGHT_NEURAL_FORAMINAL_NARROWING: 'Right Neural Foraminal Narrowing',
  LEFT_SUBARTICULAR_STENOSIS: 'Left Subarticular Stenosis',
  RIGHT_SUBARTICULAR_STENOSIS: 'Right Subarticular Stenosis',
};

function conditionOf(k: StudyKeypoint): Condition {
  if (k.seriesType === 'SAGITTAL_T2_STIR') return 'SPINAL_CANAL_STENOSIS';
  if (k.seriesType === 'SAGITTAL_T1') return k.side === 'LEFT' ? 'LEFT_NEURAL_FORAMINAL_NARROWING' : 'RIGHT_NEURAL_FORAMINAL_NARROWING';
  return k.side === 'LEFT' ? 'LEFT_SUBARTICULAR_STENOSIS' : 'RIGHT_SUBARTICULAR_STENOSIS';
}

/**
 * generate_coords.py's rows for one study (every condition and level; empty cells where a keypoint is missing):
 * x_norm, y_norm as the pipeline found them; instance_number only for axial rows (the slice the point lies on).
 * The study and series ids come from folder names, which whoever writes an import folder chooses: they are written
 * CSV-safe (csv-cell.ts; a plain numeric id is unchanged), so a comma or a formula in one cannot add a field or run.
 */
export function coordinateRows(
  studyExternalId: string,
  keypoints: readonly StudyKeypoint[],
  seriesExt: ReadonlyMap<string, string>,
): string[] {
  const rows: string[] = [];
  const order: Condition[] = [
    'SPINAL_CANAL_STENOSIS',
    'LEFT_SUBARTICULAR_STENOSIS',
    'RIGHT_SUBARTICULAR_STENOSIS',
    'LEFT_NEURAL_FORAMINAL_NARROWING',
    'RIGHT_NEURAL_FORAMINAL_NARROWING',
  ];
  for (const condition of order) {
    for (const level of LEVELS) {
      const k = keypoints.find((x) => conditionOf(x) === condition && x.level === level);
      const rowId = `${condition.toLowerCase()}_${level.toLowerCase()}`;
      const csvLevel = level.replace('_', '/');
      const axial = condition.endsWith('SUBARTICULAR_STENOSIS');
      const cells = k
        ? [
            seriesExt.get(k.seriesId) ?? '',
            String(k.normalized?.x ?? ''),
            String(k.normalized?.y ?? ''),
            axial && k.instanceNumber !== undefined ? String(k.instanceNumber) : '',
          ]
        : ['', '', '', ''];
      rows.push(
        [csvCell(studyExternalId), csvCell(cells[0]), CSV_CONDITION[condition], csvLevel, cells[1], cells[2], cells[3], rowId].join(','),
      );
    }
  }
  return rows;
}

export async function exportModelInputs(db: Database, options: ModelInputsOptions): Promise<ModelInputsResult> {
  if (options.coordinates === 'predicted' && !options.keypointModels)
    throw new AppError('BAD_USER_INPUT', 'predicted coordinates need a model set with keypoint models');
  const studies = await db.prisma.study.findMany({
    where: options.studies ? { externalId: { in: [...options.studies] } } : {},
    select: { id: true, externalId: true },
    orderBy: { externalId: 'asc' },
  });
  const missing = (options.studies ?? []).filter((e) => !studies.some((s) => s.externalId === e));
  if (missing.length > 0) throw new AppError('NOT_FOUND', `No study with external id ${missing.join(', ')}`);
  if (studies.length === 0) throw new AppError('NOT_FOUND', 'There are no studies; import some first');
  const series = await db.prisma.series.findMany({
    where: { studyId: { in: studies.map((s) => s.id) } },
    select: { id: true, externalId: true },
  });
  const seriesExt = new Map(series.map((s) => [s.id, s.externalId]));
  const keypointSet = options.keypointModels && {
    ...options.keypointModels,
    models: options.keypointModels.models.filter((m) => ROLE_SPECS[m.manifest.role].stage === 'keypoints'),
  };

  await mkdir(options.outDir, { recursive: true });
  const samples: SampleRecord[] = [];
  const skipped: { studyExternalId: string; model: string; role: string; level: Level | null; side: string; reason: string }[] = [];
  const csv = ['study_id,series_id,condition,level,x_norm,y_norm,instance_number,row_id'];
  for (const [i, study] of studies.entries()) {
    const [labelled] = await loadLabelledStudies(db, [study.id]);
    const keypoints =
      options.coordinates === 'labels'
        ? locateLabels(labelled.input, labelled.points).located.map((l) => l.keypoint)
        : (await runStudyPipeline(labelled.input, keypointSet!)).keypoints;
    if (options.coordinates === 'predicted') csv.push(...coordinateRows(study.externalId, keypoints, seriesExt));
    const dir = join(options.outDir, study.externalId);
    await mkdir(dir, { recursive: true });
    for (const m of options.layouts) {
      const rendered = await renderStudySamples(m, labelled.input, keypoints);
      const shape = m.spec.input.shape.slice(1) as number[];
      const roiKinds = (variant: number | undefined) =>
        m.spec.kind === 'classifier' ? m.spec.variants[variant ?? 0].slots.map((s) => s.kind) : [null];
      for (const sample of rendered.samples) {
        const side = sampleSide(m, sample);
        const file = join(study.externalId, fileName(m, sample, side));
        await writeNpy(join(options.outDir, file), sample.tensor, shape);
        const kinds = roiKinds(sample.sample.variant);
        const channels = m.spec.input.slices;
        samples.push({
          file,
          role: m.role,
          model: m.name,
          studyExternalId: study.externalId,
          level: sample.sample.level ?? null,
          side,
          shape,
          slots: sample.slots.map((slot, j) => ({
            roi: kinds[j] ?? null,
            seriesExternalId: slot ? (seriesExt.get(slot.seriesId) ?? slot.seriesId) : null,
            instanceNumbers: slot
              ? slot.channelSlices.map((s) => (s ? (s.instanceNumber ?? null) : null))
              : Array.from({ length: channels }, () => null),
          })),
          zeroFilled: sample.zeroFilled.map((z) => `${z.code}: ${z.message}`),
        });
      }
      for (const s of rendered.skipped)
        skipped.push({
          studyExternalId: study.externalId,
          model: m.name,
          role: m.role,
          level: s.sample.level ?? null,
          side: s.sample.side,
          reason: `${s.reason.code}: ${s.reason.message}`,
        });
    }
    options.onStudy?.(i + 1, studies.length);
  }
  if (options.coordinates === 'predicted') await writeFile(join(options.outDir, 'coordinates.csv'), `${csv.join('\n')}\n`);
  const index = {
    version: 1,
    coordinates: options.coordinates,
    layouts: options.layouts.map((m) => ({ model: m.name, role: m.role, inputShape: m.spec.input.shape })),
    samples,
    skipped,
  };
  const indexPath = join(options.outDir, 'index.json');
  await writeFile(indexPath, JSON.stringify(index, null, 1));
  return { studies: studies.length, samples: samples.length, skipped: skipped.length, indexPath };
}
