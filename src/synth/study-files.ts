// Renders a planned study and writes its DICOM files in the RSNA layout:
// {outDir}/train_images/{study_id}/{series_id}/{instance_number}.dcm. Rendering of the next image overlaps with the
// asynchronous writes of the previous ones.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Condition, Level, Severity } from '../domain/vocabulary.js';
import type { SynthSeriesType } from './acquisition.js';
import { encodeInstance } from './instance-file.js';
import { Random } from './random.js';
import { renderSlice } from './render.js';
import { planStudy, type StudyPlan, type StudyRequest } from './study-plan.js';

export interface WrittenSeries {
  readonly seriesId: number;
  readonly seriesType: SynthSeriesType;
  readonly description: string;
  readonly instanceCount: number;
}

/** A label coordinate as written to train_label_coordinates.csv. */
export interface LabelCoordinateRow {
  readonly seriesId: number;
  readonly instanceNumber: number;
  readonly condition: Condition;
  readonly level: Level;
  readonly x: number;
  readonly y: number;
}

/** What a worker reports back for one study: plain data, cheap to pass between threads. */
export interface WrittenStudy {
  readonly studyId: number;
  readonly series: readonly WrittenSeries[];
  readonly severities: Readonly<Record<Condition, Readonly<Record<Level, Severity>>>>;
  readonly labelCoordinates: readonly LabelCoordinateRow[];
  readonly fileCount: number;
  readonly bytes: number;
}

export function studyDirectory(outDir: string, studyId: number): string {
  return join(outDir, 'train_images', String(studyId));
}

/** Renders every image of the study as DICOM file bytes, in series order, handing each to `sink`. */
export async function renderStudyFiles(
  plan: StudyPlan,
  sink: (seriesId: number, instanceNumber: number, file: Buffer) => Promise<void> | void,
): Promise<void> {
  for (const series of plan.series) {
    const appearance = plan.appearance.get(series.seriesId);
    if (!appearance) throw new Error(`no appearance for series ${series.seriesId}`);
    for (const slice of series.slices) {
      const noise = new Random(plan.request.seed, plan.request.studyId, 'noise', series.seriesId, slice.instanceNumber);
      const pixels = renderSlice(plan.phantom, slice.geometry, appearance, noise);
      await sink(series.seriesId, slice.instanceNumber, encodeInstance(plan, series, slice, pixels));
    }
  }
}

export async function writeStudy(request: StudyRequest, outDir: string): Promise<WrittenStudy> {
  const plan = planStudy(request);
  const studyDir = studyDirectory(outDir, request.studyId);
  await Promise.all(plan.series.map((s) => mkdir(join(studyDir, String(s.seriesId)), { recursive: true })));
  const pending: Promise<void>[] = [];
  let bytes = 0;
  await renderStudyFiles(plan, (seriesId, instanceNumber, file) => {
    bytes += file.byteLength;
    pending.push(writeFile(join(studyDir, String(seriesId), `${instanceNumber}.dcm`), file));
  });
  await Promise.all(pending);

  const severities = {} as Record<Condition, Record<Level, Severity>>;
  for (const [condition, byLevel] of Object.entries(plan.grades) as [Condition, StudyPlan['grades'][Condition]][]) {
    severities[condition] = {} as Record<Level, Severity>;
    for (const [level, label] of Object.entries(byLevel) as [Level, { severity: Severity }][]) {
      severities[condition][level] = label.severity;
    }
  }
  return {
    studyId: request.studyId,
    series: plan.series.map((s) => ({
      seriesId: s.seriesId,
      seriesType: s.seriesType,
      description: s.description,
      instanceCount: s.slices.length,
    })),
    severities,
    labelCoordinates: plan.labelCoordinates.map(({ seriesId, instanceNumber, condition, level, x, y }) => ({
      seriesId,
      instanceNumber,
      condition,
      level,
      x,
      y,
    })),
    fileCount: pending.length,
    bytes,
  };
}
