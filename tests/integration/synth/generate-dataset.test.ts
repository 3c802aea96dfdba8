// The generator end to end at a small image size: layout, CSVs, DICOM validity and determinism.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_INFO, LEVEL_INFO, SERIES_DESCRIPTION, SEVERITY_CSV } from '../../../src/domain/vocabulary.js';
import { isValidUid } from '../../../src/synth/dicom-writer.js';
import { generateDataset, type DatasetSummary } from '../../../src/synth/index.js';
import { imagePath, listFiles, readCsv, readImage } from '../../unit/synth/read-dataset.js';

const SIZE = 96;
let root: string;
let summary: DatasetSummary;
const progress: [number, number][] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'synth-dataset-'));
  summary = await generateDataset({
    outDir: join(root, 'a'),
    studies: 3,
    seed: 11,
    size: SIZE,
    workers: 2,
    onProgress: (done, total) => progress.push([done, total]),
  });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateDataset', () => {
  it('reports progress from 0 to the total', () => {
    expect(progress[0]).toEqual([0, 3]);
    expect(progress.at(-1)).toEqual([3, 3]);
    expect(progress.map(([done]) => done)).toEqual([0, 1, 2, 3]);
  });

  it('writes the RSNA layout, and a summary that matches the files on disk', () => {
    const files = listFiles(summary.outDir);
    expect(files.length).toBe(summary.fileCount);
    expect(summary.studyIds.length).toBe(3);
    expect(new Set(summary.studyIds).size).toBe(3);
    let bytes = 0;
    for (const study of summary.studies) {
      expect(study.series.map((s) => s.description).sort()).toEqual(['Axial T2', 'Sagittal T1', 'Sagittal T2/STIR']);
      for (const series of study.series) {
        if (series.seriesType === 'AXIAL_T2') {
          expect(series.instanceCount).toBeGreaterThanOrEqual(15); // five stacks of 3 to 6
          expect(series.instanceCount).toBeLessThanOrEqual(30);
        } else {
          expect(series.instanceCount).toBeGreaterThanOrEqual(15);
          expect(series.instanceCount).toBeLessThanOrEqual(20);
        }
        for (let n = 1; n <= series.instanceCount; n++) {
          const path = imagePath(summary.outDir, study.studyId, series.seriesId, n);
          expect(existsSync(path)).toBe(true);
          bytes += statSync(path).size;
        }
        expect(existsSync(imagePath(summary.outDir, study.studyId, series.seriesId, series.instanceCount + 1))).toBe(false);
      }
    }
    expect(bytes).toBe(summary.bytes);
    expect(summary.seriesCount).toBe(9);
    for (const path of Object.values(summary.csv)) expect(existsSync(path)).toBe(true);
  });

  it('writes train_series_descriptions.csv with one row per series', () => {
    const { header, rows } = readCsv(summary.csv.seriesDescriptions);
    expect(header).toEqual(['study_id', 'series_id', 'series_description']);
    expect(rows.length).toBe(9);
    const expected = summary.studies.flatMap((st) => st.series.map((s) => [String(st.studyId), String(s.seriesId), s.description]));
    expect(rows.map((r) => [r.study_id, r.series_id, r.series_description])).toEqual(expected);
    expect(new Set(rows.map((r) => r.series_description))).toEqual(new Set(Object.values(SERIES_DESCRIPTION)));
  });

  it('writes train.csv with the 25 label columns in Kaggle order and spelling', () => {
    const { header, rows } = readCsv(summary.csv.labels);
    expect(header.length).toBe(26);
    expect(header[0]).toBe('study_id');
    expect(header[1]).toBe('spinal_canal_stenosis_l1_l2');
    expect(header[6]).toBe('left_neural_foraminal_narrowing_l1_l2');
    expect(header[25]).toBe('right_subarticular_stenosis_l5_s1');
    const columns = Object.values(CONDITION_INFO).flatMap((c) => Object.values(LEVEL_INFO).map((l) => `${c.key}_${l.key}`));
    expect(header.slice(1)).toEqual(columns);
    expect(rows.map((r) => Number(r.study_id))).toEqual(summary.studyIds);
    const spellings = new Set(Object.values(SEVERITY_CSV));
    for (const row of rows) for (const column of columns) expect(spellings.has(row[column])).toBe(true);
  });

  it('writes train_label_coordinates.csv: 25 rows per study on the right series and an existing instance', () => {
    const { header, rows } = readCsv(summary.csv.labelCoordinates);
    expect(header).toEqual(['study_id', 'series_id', 'instance_number', 'condition', 'level', 'x', 'y']);
    expect(rows.length).toBe(75);
    const seriesOf = new Map(summary.studies.flatMap((st) => st.series.map((s) => [String(s.seriesId), s] as const)));
    const conditionByCsv = new Map(Object.values(CONDITION_INFO).map((c) => [c.csvName, c]));
    const levels = new Set(Object.values(LEVEL_INFO).map((l) => l.csvName));
    const expectedSeries = { spinal: 'Sagittal T2/STIR', foraminal: 'Sagittal T1', subarticular: 'Axial T2' };
    const seen = new Set<string>();
    for (const row of rows) {
      const condition = conditionByCsv.get(row.condition);
      expect(condition, row.condition).toBeDefined();
      expect(levels.has(row.level)).toBe(true);
      const series = seriesOf.get(row.series_id);
      expect(series?.description).toBe(expectedSeries[condition!.core]);
      const instance = Number(row.instance_number);
      expect(Number.isInteger(instance) && instance >= 1 && instance <= series!.instanceCount).toBe(true);
      const x = Number(row.x);
      const y = Number(row.y);
      expect(x > 0 && x < SIZE - 1 && y > 0 && y < SIZE - 1).toBe(true);
      seen.add(`${row.study_id}|${row.condition}|${row.level}`);
    }
    expect(seen.size).toBe(75);
  });

  it('writes MR Image Storage files that dicom-parser reads cleanly, with the attributes readers need', () => {
    const sopUids = new Set<string>();
    for (const study of summary.studies) {
      const studyUids = new Set<string>();
      for (const series of study.series) {
        const seriesUids = new Set<string>();
        for (let n = 1; n <= series.instanceCount; n++) {
          const image = readImage(imagePath(summary.outDir, study.studyId, series.seriesId, n));
          const ds = image.dataSet;
          expect(ds.warnings).toEqual([]);
          expect(ds.string('x00020010')).toBe('1.2.840.10008.1.2.1');
          expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.4');
          expect(ds.string('x00020002')).toBe(ds.string('x00080016'));
          expect(ds.string('x00020003')).toBe(ds.string('x00080018'));
          expect(ds.string('x00080060')).toBe('MR');
          expect(ds.string('x0008103e')).toBe(series.description);
          expect(ds.intString('x00200013')).toBe(n);
          expect(ds.intString('x00200011')).toBeGreaterThan(0);
          expect([image.rows, image.columns]).toEqual([SIZE, SIZE]);
          expect(ds.uint16('x00280002')).toBe(1);
          expect(ds.string('x00280004')).toBe('MONOCHROME2');
          expect([ds.uint16('x00280100'), ds.uint16('x00280101'), ds.uint16('x00280102'), ds.uint16('x00280103')]).toEqual([16, 12, 11, 0]);
          expect(image.pixelSpacing[0]).toBe(image.pixelSpacing[1]);
          expect(image.pixelSpacing[0] * SIZE).toBeGreaterThan(150);
          expect(image.pixelSpacing[0] * SIZE).toBeLessThan(260);
          const thickness = ds.floatString('x00180050')!;
          expect(thickness).toBeGreaterThanOrEqual(3);
          expect(thickness).toBeLessThanOrEqual(4);
          expect(ds.floatString('x00180088')).toBeGreaterThanOrEqual(thickness);
          expect(image.position.every(Number.isFinite)).toBe(true);
          const [r0, r1, r2, c0, c1, c2] = image.orientation;
          expect(Math.hypot(r0, r1, r2)).toBeCloseTo(1, 6);
          expect(Math.hypot(c0, c1, c2)).toBeCloseTo(1, 6);
          expect(Math.abs(r0 * c0 + r1 * c1 + r2 * c2)).toBeLessThan(1e-6);
          expect(ds.floatString('x00281051')).toBeGreaterThan(0);
          expect(ds.floatString('x00281050')).toBeGreaterThan(0);
          expect(ds.string('x00100010')).toMatch(/^SYNTH\^PATIENT\^\d{4}$/);
          expect(ds.string('x00100020')).toBe(`SYNTH-${study.studyId}`);
          expect(ds.string('x00100030')).toMatch(/^\d{8}$/);
          expect(ds.string('x00080080')).toBeTruthy();
          expect(ds.string('x00200010')).toBe(String(study.studyId));
          expect(image.pixels.length).toBe(SIZE * SIZE);
          expect(Math.max(...image.pixels)).toBeLessThanOrEqual(4095);
          const sop = ds.string('x00080018')!;
          const studyUid = ds.string('x0020000d')!;
          const seriesUid = ds.string('x0020000e')!;
          for (const uid of [sop, studyUid, seriesUid, ds.string('x00200052')!]) expect(isValidUid(uid), uid).toBe(true);
          expect(sopUids.has(sop)).toBe(false);
          sopUids.add(sop);
          studyUids.add(studyUid);
          seriesUids.add(seriesUid);
        }
        expect(seriesUids.size).toBe(1);
      }
      expect(studyUids.size).toBe(1);
    }
  });

  // The project's own reader, written in parallel with the generator: used when it is there.
  it.skipIf(!existsSync(new URL('../../../src/dicom/index.ts', import.meta.url)))(
    'is read by src/dicom with the same geometry and pixels',
    async () => {
      const reader = await import('../../../src/dicom/index.js');
      const study = summary.studies[0];
      for (const series of study.series) {
        for (const n of [1, series.instanceCount]) {
          const path = imagePath(summary.outDir, study.studyId, series.seriesId, n);
          const raw = readImage(path);
          const instance = reader.parseDicom(new Uint8Array(readFileSync(path)), path);
          expect(instance.instanceNumber).toBe(n);
          expect(instance.seriesDescription).toBe(series.description);
          expect(instance.geometry?.imagePositionPatient).toEqual(raw.position);
          // The reader may renormalise the direction cosines; they agree to the 8 decimals written.
          instance.geometry!.imageOrientationPatient.forEach((v, i) => expect(v).toBeCloseTo(raw.orientation[i], 7));
          expect(instance.geometry?.pixelSpacing).toEqual(raw.pixelSpacing);
          const frame = await reader.decodeFrame(instance);
          expect([frame.rows, frame.columns]).toEqual([SIZE, SIZE]);
          expect(Array.from(frame.pixels)).toEqual(Array.from(raw.pixels));
        }
      }
    },
  );

  it('orders sagittal stacks from the patient right to left (increasing x) by instance number', () => {
    for (const study of summary.studies) {
      for (const series of study.series.filter((s) => s.seriesType !== 'AXIAL_T2')) {
        const xs = Array.from(
          { length: series.instanceCount },
          (_, i) => readImage(imagePath(summary.outDir, study.studyId, series.seriesId, i + 1)).position[0],
        );
        for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]);
        // The stack straddles the patient's midline (within a few mm of x = 0) by more than 15 mm each way.
        expect(xs[0]).toBeLessThan(-15);
        expect(xs.at(-1)).toBeGreaterThan(15);
      }
    }
  });

  it('is byte-identical for the same seed whatever the worker count, and differs for another seed', async () => {
    const again = await generateDataset({ outDir: join(root, 'b'), studies: 3, seed: 11, size: SIZE, workers: 1 });
    const other = await generateDataset({ outDir: join(root, 'c'), studies: 1, seed: 12, size: SIZE, workers: 1 });
    const files = listFiles(summary.outDir);
    expect(listFiles(again.outDir)).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(again.outDir, file)).equals(readFileSync(join(summary.outDir, file))), file).toBe(true);
    for (const csv of ['train.csv', 'train_label_coordinates.csv', 'train_series_descriptions.csv']) {
      expect(readFileSync(join(again.outDir, csv), 'utf8')).toBe(readFileSync(join(summary.outDir, csv), 'utf8'));
    }
    expect(other.studyIds[0]).not.toBe(summary.studyIds[0]);
    const otherFile = readFileSync(join(other.outDir, listFiles(other.outDir)[0]));
    expect(files.some((f) => readFileSync(join(summary.outDir, f)).equals(otherFile))).toBe(false);
  }, 300_000);

  it('numbers studies from firstStudyId when asked', async () => {
    const s = await generateDataset({ outDir: join(root, 'd'), studies: 2, seed: 11, size: 64, workers: 1, firstStudyId: 4003253 });
    expect(s.studyIds).toEqual([4003253, 4003254]);
  }, 300_000);

  it('rejects bad options', async () => {
    await expect(generateDataset({ outDir: join(root, 'e'), studies: 0, seed: 1 })).rejects.toThrow(/studies/);
    await expect(generateDataset({ outDir: join(root, 'e'), studies: 1, seed: 1.5 })).rejects.toThrow(/seed/);
    await expect(generateDataset({ outDir: join(root, 'e'), studies: 1, seed: 1, size: 10 })).rejects.toThrow(/size/);
  });
});
