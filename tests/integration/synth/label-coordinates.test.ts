// The label coordinates the generator writes, checked against the images it wrote: each lands on the structure it
// grades, and the sagittal and axial series agree in patient space.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_INFO, LEVEL_INFO } from '../../../src/domain/vocabulary.js';
import { generateDataset, type DatasetSummary } from '../../../src/synth/index.js';
import {
  distanceToPlane,
  imagePath,
  mean3x3,
  pixelToPatient,
  readCsv,
  readImage,
  windowQuantile,
  type CsvRow,
  type ReadImage,
} from '../../unit/synth/read-dataset.js';

let root: string;
let summary: DatasetSummary;
let coordinates: CsvRow[];
let severityOf: (row: CsvRow) => string;
const images = new Map<string, ReadImage>();

function image(row: CsvRow): ReadImage {
  const key = `${row.study_id}/${row.series_id}/${row.instance_number}`;
  let found = images.get(key);
  if (!found) {
    found = readImage(imagePath(summary.outDir, row.study_id, row.series_id, row.instance_number));
    images.set(key, found);
  }
  return found;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'synth-labels-'));
  summary = await generateDataset({ outDir: root, studies: 4, seed: 2024, workers: 2 });
  coordinates = readCsv(summary.csv.labelCoordinates).rows;
  const labels = new Map(readCsv(summary.csv.labels).rows.map((r) => [r.study_id, r]));
  const conditionKey = new Map(Object.values(CONDITION_INFO).map((c) => [c.csvName, c.key]));
  const levelKey = new Map(Object.values(LEVEL_INFO).map((l) => [l.csvName, l.key]));
  severityOf = (row) => labels.get(row.study_id)![`${conditionKey.get(row.condition)}_${levelKey.get(row.level)}`];
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** How bright the labelled point is within its 50 mm neighbourhood: 3x3 mean over the window's 99th percentile. */
function relativeBrightness(row: CsvRow): number {
  const img = image(row);
  return mean3x3(img, Number(row.x), Number(row.y)) / windowQuantile(img, Number(row.x), Number(row.y), 25, 0.99);
}

describe('label coordinates on the images', () => {
  it('use 256 x 256 images by default', () => {
    expect(summary.size).toBe(256);
    expect(image(coordinates[0]).rows).toBe(256);
  });

  for (const [condition, what] of [
    ['Spinal Canal Stenosis', 'CSF of the canal on Sag T2/STIR'],
    ['Left Neural Foraminal Narrowing', 'foraminal fat on Sag T1'],
    ['Right Neural Foraminal Narrowing', 'foraminal fat on Sag T1'],
    ['Left Subarticular Stenosis', 'CSF of the lateral recess on axial T2'],
    ['Right Subarticular Stenosis', 'CSF of the lateral recess on axial T2'],
  ] as const) {
    it(`put ${condition} where a healthy level shows bright ${what}`, () => {
      const normal = coordinates.filter((r) => r.condition === condition && severityOf(r) === 'Normal/Mild');
      expect(normal.length).toBeGreaterThan(3);
      for (const row of normal) expect(relativeBrightness(row), `${row.study_id} ${row.level}`).toBeGreaterThan(0.65);
    });
  }

  it('show less bright tissue at severe levels than at healthy ones', () => {
    for (const core of ['Spinal', 'Foraminal', 'Subarticular']) {
      const rows = coordinates.filter((r) => r.condition.includes(core));
      const mean = (severity: string): number | undefined => {
        const selected = rows.filter((r) => severityOf(r) === severity).map(relativeBrightness);
        return selected.length ? selected.reduce((a, b) => a + b, 0) / selected.length : undefined;
      };
      const normal = mean('Normal/Mild');
      const severe = mean('Severe');
      if (normal !== undefined && severe !== undefined) expect(severe, core).toBeLessThan(normal);
    }
  });

  it('place the spinal point on the middle sagittal slices and the foraminal points to their side', () => {
    const count = new Map(summary.studies.flatMap((st) => st.series.map((s) => [String(s.seriesId), s.instanceCount] as const)));
    for (const row of coordinates) {
      const n = count.get(row.series_id)!;
      const instance = Number(row.instance_number);
      const offsetMm = (instance - (n + 1) / 2) * image(row).dataSet.floatString('x00180088')!;
      if (row.condition === 'Spinal Canal Stenosis') expect(Math.abs(offsetMm)).toBeLessThan(7);
      // Higher instance numbers lie further to the patient's left.
      if (row.condition === 'Left Neural Foraminal Narrowing') expect(offsetMm).toBeGreaterThan(8);
      if (row.condition === 'Right Neural Foraminal Narrowing') expect(offsetMm).toBeLessThan(-8);
    }
  });
});

describe('geometry across series', () => {
  it('maps each spinal Sag T2 point into the axial slice named for the same level', () => {
    for (const spinal of coordinates.filter((r) => r.condition === 'Spinal Canal Stenosis')) {
      const sag = image(spinal);
      const point = pixelToPatient(sag, Number(spinal.x), Number(spinal.y));
      const axialRows = coordinates.filter(
        (r) => r.study_id === spinal.study_id && r.level === spinal.level && r.condition.includes('Subarticular'),
      );
      expect(axialRows.length).toBe(2);
      for (const axial of axialRows) {
        const slice = image(axial);
        const thickness = slice.dataSet.floatString('x00180050')!;
        expect(Math.abs(distanceToPlane(slice, point)), `${spinal.study_id} ${spinal.level}`).toBeLessThan(thickness);
      }
    }
  });

  it('finds that axial slice (or one as close) as the nearest to the sagittal point, as the pipeline will', () => {
    for (const spinal of coordinates.filter((r) => r.condition === 'Spinal Canal Stenosis')) {
      const point = pixelToPatient(image(spinal), Number(spinal.x), Number(spinal.y));
      const study = summary.studies.find((s) => String(s.studyId) === spinal.study_id)!;
      const axialSeries = study.series.find((s) => s.seriesType === 'AXIAL_T2')!;
      let nearest = Infinity;
      for (let n = 1; n <= axialSeries.instanceCount; n++) {
        const row = { study_id: spinal.study_id, series_id: String(axialSeries.seriesId), instance_number: String(n) };
        nearest = Math.min(nearest, Math.abs(distanceToPlane(image(row as CsvRow), point)));
      }
      const named = coordinates.find(
        (r) => r.study_id === spinal.study_id && r.level === spinal.level && r.condition === 'Left Subarticular Stenosis',
      )!;
      expect(Math.abs(distanceToPlane(image(named), point))).toBeLessThan(nearest + 1);
      expect(nearest).toBeLessThan(5);
    }
  });

  it('puts the left and right subarticular points on either side of the canal, left at higher x', () => {
    for (const left of coordinates.filter((r) => r.condition === 'Left Subarticular Stenosis')) {
      const right = coordinates.find(
        (r) => r.study_id === left.study_id && r.level === left.level && r.condition === 'Right Subarticular Stenosis',
      )!;
      // Both sides usually share the slice; a slightly tilted stack can put them on neighbours.
      expect(Math.abs(Number(right.instance_number) - Number(left.instance_number))).toBeLessThanOrEqual(1);
      const l = pixelToPatient(image(left), Number(left.x), Number(left.y));
      const r = pixelToPatient(image(right), Number(right.x), Number(right.y));
      const gap = Math.hypot(l[0] - r[0], l[1] - r[1], l[2] - r[2]);
      expect(gap).toBeGreaterThan(14);
      expect(gap).toBeLessThan(30);
      expect(l[0]).toBeGreaterThan(r[0]);
    }
  });
});
