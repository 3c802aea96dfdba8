// A hand-made MR DICOM file with known pixels and window, written by src/synth's DICOM writer, and an embedded
// (PGlite) database holding one study with that instance, two model sets' keypoints, a manual correction and a
// labelled coordinate at known pixels.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Database } from '../../../../src/db/client.js';
import { migrateOpenDatabase } from '../../../../src/db/migrate-database.js';
import { encodeDicomFile, formatDecimalString, MR_IMAGE_STORAGE, tag, type DicomElement } from '../../../../src/synth/dicom-writer.js';

export const ROWS = 64;
export const COLUMNS = 96;
/** [row, column] mm: a 50 mm ROI is 40 rows by 50 columns. */
export const PIXEL_SPACING: readonly [number, number] = [1.25, 1.0];
/** Stored value at (x, y): a horizontal ramp, so every column has a known grey level under any window. */
export const pixelValue = (x: number, _y: number): number => 10 * x;
export const FILE_WINDOW = { centre: 500, width: 1000 };

export const MODEL_A_POINT = { x: 30, y: 20 };
export const MODEL_B_POINT = { x: 60, y: 50 };
export const MANUAL_POINT = { x: 70, y: 40 };
export const LABEL_POINT = { x: 15, y: 50 };

export function mrFile(options: { window?: { centre: number; width: number }; uid: string }): Buffer {
  const pixels = new Uint16Array(ROWS * COLUMNS);
  for (let y = 0; y < ROWS; y++) for (let x = 0; x < COLUMNS; x++) pixels[y * COLUMNS + x] = pixelValue(x, y);
  const elements: DicomElement[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: options.uid },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: '2.25.1001' },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: '2.25.1002' },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0032), vr: 'DS', value: ['0', '-40', '60'] },
    { tag: tag(0x0020, 0x0037), vr: 'DS', value: ['0', '1', '0', '0', '0', '-1'] },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: ROWS },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: COLUMNS },
    { tag: tag(0x0028, 0x0030), vr: 'DS', value: PIXEL_SPACING.map(formatDecimalString) },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 15 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
    ...(options.window
      ? ([
          { tag: tag(0x0028, 0x1050), vr: 'DS', value: formatDecimalString(options.window.centre) },
          { tag: tag(0x0028, 0x1051), vr: 'DS', value: formatDecimalString(options.window.width) },
        ] satisfies DicomElement[])
      : []),
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array(pixels.buffer) },
  ];
  return encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: options.uid }, elements);
}

export interface RenderFixture {
  readonly db: Database;
  readonly studyId: string;
  readonly otherStudyId: string;
  /** Carries the file's window. */
  readonly instanceId: string;
  /** Same pixels, no window in the file. */
  readonly plainInstanceId: string;
  /** An instance whose file is gone. */
  readonly missingFileInstanceId: string;
  readonly modelSetA: string;
  readonly modelSetB: string;
  close(): Promise<void>;
}

export async function createRenderFixture(): Promise<RenderFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'render-fixture-'));
  const withWindow = join(dir, 'with-window.dcm');
  const plain = join(dir, 'plain.dcm');
  writeFileSync(withWindow, mrFile({ window: FILE_WINDOW, uid: '2.25.1003' }));
  writeFileSync(plain, mrFile({ uid: '2.25.1004' }));
  const db = await openDatabase({ kind: 'pglite', dir: join(dir, 'db') });
  await migrateOpenDatabase(db);
  const p = db.prisma;
  const project = await p.project.create({ data: { name: 'render' } });
  const study = await p.study.create({ data: { projectId: project.id, externalId: '1' } });
  const other = await p.study.create({ data: { projectId: project.id, externalId: '2' } });
  const series = await p.series.create({
    data: { studyId: study.id, externalId: '10', type: 'SAGITTAL_T2_STIR', pixelSpacing: [...PIXEL_SPACING], instanceCount: 3 },
  });
  const instance = (sop: string, file: string, n: number) =>
    p.instance.create({
      data: {
        seriesId: series.id,
        sopInstanceUid: sop,
        instanceNumber: n,
        sliceIndex: n,
        storageUri: pathToFileURL(file).href,
        sizeBytes: 1,
        sha256: 'x',
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        rows: ROWS,
        columns: COLUMNS,
        imagePositionPatient: [0, -40, 60],
        imageOrientationPatient: [0, 1, 0, 0, 0, -1],
        pixelSpacing: [...PIXEL_SPACING],
        slicePosition: n,
      },
    });
  const a = await instance('2.25.1003', withWindow, 1);
  const b = await instance('2.25.1004', plain, 2);
  const gone = await instance('2.25.1005', join(dir, 'deleted.dcm'), 3);
  const setA = await p.modelSet.create({ data: { name: 'A', contentHash: 'a', isActive: true } });
  const setB = await p.modelSet.create({ data: { name: 'B', contentHash: 'b' } });
  const kp = (at: { x: number; y: number }, source: 'MODEL' | 'MANUAL', modelSetId: string | null, instanceId: string) => ({
    studyId: study.id,
    seriesId: series.id,
    instanceId,
    level: 'L4_L5' as const,
    role: source === 'MODEL' ? 'keypoints-sagittal-t2' : 'manual',
    pixelX: at.x,
    pixelY: at.y,
    patientX: 0,
    patientY: 0,
    patientZ: 0,
    source,
    modelSetId,
  });
  await p.keypoint.createMany({
    data: [
      kp(MODEL_A_POINT, 'MODEL', setA.id, a.id),
      kp(MODEL_B_POINT, 'MODEL', setB.id, a.id),
      kp(MANUAL_POINT, 'MANUAL', null, a.id),
      // On the other instance: must never show on the first.
      kp({ x: 80, y: 10 }, 'MODEL', setA.id, b.id),
    ],
  });
  await p.labelCoordinate.create({
    data: {
      studyId: study.id,
      seriesId: series.id,
      instanceId: a.id,
      instanceNumber: 1,
      condition: 'SPINAL_CANAL_STENOSIS',
      level: 'L4_L5',
      ...LABEL_POINT,
    },
  });
  return {
    db,
    studyId: study.id,
    otherStudyId: other.id,
    instanceId: a.id,
    plainInstanceId: b.id,
    missingFileInstanceId: gone.id,
    modelSetA: setA.id,
    modelSetB: setB.id,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
