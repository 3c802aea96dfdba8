// `spinegraph synth`: a synthetic lumbar MRI cohort in the Kaggle RSNA 2024 layout, deterministic by seed.
import { availableParallelism } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  LABEL_COORDINATES_CSV,
  LABELS_CSV,
  SERIES_DESCRIPTIONS_CSV,
  labelCoordinatesCsv,
  labelsCsv,
  seriesDescriptionsCsv,
} from './dataset-csv.js';
import { seriesIdsFor, studyIds } from './dataset-ids.js';
import type { SynthSeriesType } from './acquisition.js';
import type { StudyRequest } from './study-plan.js';
import { writeStudies } from './worker-pool.js';

export const DEFAULT_IMAGE_SIZE = 256;

export interface GenerateDatasetOptions {
  readonly outDir: string;
  readonly studies: number;
  readonly seed: number;
  /** Rows and columns of every image (default 256). */
  readonly size?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Study ids become firstStudyId, firstStudyId + 1, ...; by default they are drawn from the seed. A study's content
   * depends on (seed, study id) only, so cohorts with disjoint ids are different patients. */
  readonly firstStudyId?: number;
  /** Worker threads (default: one per available core, at most one per study); 1 renders in this thread. */
  readonly workers?: number;
}

export interface SeriesSummary {
  readonly seriesId: number;
  readonly seriesType: SynthSeriesType;
  readonly description: string;
  readonly instanceCount: number;
}

export interface StudySummary {
  readonly studyId: number;
  readonly series: readonly SeriesSummary[];
  readonly fileCount: number;
  readonly bytes: number;
}

export interface DatasetSummary {
  readonly outDir: string;
  readonly seed: number;
  readonly size: number;
  readonly studyIds: readonly number[];
  readonly studies: readonly StudySummary[];
  readonly seriesCount: number;
  readonly fileCount: number;
  /** Bytes of DICOM files written (CSV files not included). */
  readonly bytes: number;
  readonly csv: { readonly seriesDescriptions: string; readonly labels: string; readonly labelCoordinates: string };
  readonly elapsedMs: number;
}

function validate(options: GenerateDatasetOptions): number {
  const size = options.size ?? DEFAULT_IMAGE_SIZE;
  if (!Number.isInteger(options.studies) || options.studies < 1) throw new RangeError('studies must be a positive integer');
  if (!Number.isSafeInteger(options.seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(size) || size < 64 || size > 1024) throw new RangeError('size must be an integer in 64..1024');
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
    throw new RangeError('workers must be a positive integer');
  }
  return size;
}

export async function generateDataset(options: GenerateDatasetOptions): Promise<DatasetSummary> {
  const started = performance.now();
  const size = validate(options);
  const outDir = resolve(options.outDir);
  const { seed, studies: total } = options;
  await mkdir(join(outDir, 'train_images'), { recursive: true });

  const takenSeriesIds = new Set<number>();
  const requests: StudyRequest[] = studyIds(seed, total, options.firstStudyId).map((studyId, i) => ({
    seed,
    studyId,
    seriesIds: seriesIdsFor(seed, studyId, takenSeriesIds),
    size,
    patientNumber: i + 1,
  }));
  options.onProgress?.(0, total);
  const workers = options.workers ?? Math.max(1, availableParallelism());
  const written = await writeStudies(requests, outDir, workers, (done) => options.onProgress?.(done, total));

  const csv = {
    seriesDescriptions: join(outDir, SERIES_DESCRIPTIONS_CSV),
    labels: join(outDir, LABELS_CSV),
    labelCoordinates: join(outDir, LABEL_COORDINATES_CSV),
  };
  await Promise.all([
    writeFile(csv.seriesDescriptions, seriesDescriptionsCsv(written)),
    writeFile(csv.labels, labelsCsv(written)),
    writeFile(csv.labelCoordinates, labelCoordinatesCsv(written)),
  ]);

  const studies = written.map((s) => ({ studyId: s.studyId, series: s.series, fileCount: s.fileCount, bytes: s.bytes }));
  return {
    outDir,
    seed,
    size,
    studyIds: studies.map((s) => s.studyId),
    studies,
    seriesCount: studies.reduce((n, s) => n + s.series.length, 0),
    fileCount: studies.reduce((n, s) => n + s.fileCount, 0),
    bytes: studies.reduce((n, s) => n + s.bytes, 0),
    csv,
    elapsedMs: performance.now() - started,
  };
}
