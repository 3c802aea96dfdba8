// From DICOM pixels to stored Keypoint rows: bright dots at known pixels of a Sag T2 stack, a fixture heatmap
// model whose heatmap i is the middle slice inside row band i (so its argmax is the dot of that band), the
// real import, pipeline and result writer; the stored keypoints must land on the dots, in pixels and in mm.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelToPatient } from '../../src/dicom/index.js';
import type { SliceGeometry } from '../../src/domain/image.js';
import { LEVELS } from '../../src/domain/vocabulary.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { runInference } from '../../src/services/inference/run-inference.js';
import { openModelSet, registerModelSet } from '../../src/services/model-registry.service.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { encodeDicomFile, formatDecimalString, MR_IMAGE_STORAGE, tag, type DicomElement } from '../../src/synth/dicom-writer.js';
import { writeFixtureModelSet } from '../fixtures/models/fixture-model-set.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const N = 128;
const SLICES = 7;
const SPACING = 4;
const PIXEL_MM = 0.8;
// One dot per row band of the fixture (5 bands over 64 input rows = 25.6 source rows each), away from band edges.
const DOTS = [
  { x: 40, y: 13 },
  { x: 52, y: 38 },
  { x: 64, y: 64 },
  { x: 76, y: 90 },
  { x: 88, y: 115 },
];

function geometry(k: number): SliceGeometry {
  // Sagittal: rows run head to foot (-z), columns anterior to posterior (+y); slices step along +x (patient left).
  return {
    rows: N,
    columns: N,
    pixelSpacing: [PIXEL_MM, PIXEL_MM],
    imagePositionPatient: [-12 + SPACING * k, -50, 60],
    imageOrientationPatient: [0, 1, 0, 0, 0, -1],
  };
}

function slicePixels(withDots: boolean): Uint16Array {
  const px = new Uint16Array(N * N).fill(100);
  if (withDots) {
    for (const d of DOTS) {
      // A small blob so that the bicubic downsampling keeps its peak at the centre.
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) px[(d.y + dy) * N + (d.x + dx)] = Math.round(100 + 3000 * Math.exp(-(dx * dx + dy * dy) / 2));
    }
  }
  return px;
}

function encode(k: number, uid: (s: string) => string): Buffer {
  const g = geometry(k);
  const pixels = slicePixels(k === 3);
  const sop = uid(`i${k}`);
  const elements: DicomElement[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: sop },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0008, 0x103e), vr: 'LO', value: 'Sagittal T2/STIR' },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'DOT-PHANTOM' },
    { tag: tag(0x0018, 0x0050), vr: 'DS', value: formatDecimalString(3.5) },
    { tag: tag(0x0018, 0x0088), vr: 'DS', value: formatDecimalString(SPACING) },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: uid('study') },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: uid('series') },
    { tag: tag(0x0020, 0x0011), vr: 'IS', value: '2' },
    // Instance numbers run against the geometry: the pipeline must order by position, not by number.
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(SLICES - k) },
    { tag: tag(0x0020, 0x0032), vr: 'DS', value: g.imagePositionPatient.map(formatDecimalString) },
    { tag: tag(0x0020, 0x0037), vr: 'DS', value: g.imageOrientationPatient.map(formatDecimalString) },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: N },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: N },
    { tag: tag(0x0028, 0x0030), vr: 'DS', value: [PIXEL_MM, PIXEL_MM].map(formatDecimalString) },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 15 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array(pixels.buffer) },
  ];
  return encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: sop }, elements);
}

let tdb: TestDatabase;
let dir: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'sg-dots-'));
  const seriesDir = join(dir, 'train_images', '9001', '42');
  await mkdir(seriesDir, { recursive: true });
  const uid = (s: string): string => `2.25.${[...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_007, 7)}9001`;
  for (let k = 0; k < SLICES; k++) await writeFile(join(seriesDir, `${k + 1}.dcm`), encode(k, uid));
  const projectId = (await ensureProject(tdb.db, 'dots')).id;
  const imported = await importStudies(tdb.db, { root: dir, projectId, secret: 'dots' });
  expect(imported.instances.added).toBe(SLICES);
  await writeFixtureModelSet(join(dir, 'models'));
  const { set } = await registerModelSet(tdb.db, join(dir, 'models'), { activate: true });
  const loaded = await openModelSet(tdb.db, set, { provider: 'cpu', threads: 1 });
  const study = await tdb.db.prisma.study.findFirstOrThrow();
  await runInference(tdb.db, { studyIds: [study.id], modelSetId: set.id, modelSet: loaded });
  await loaded.release();
}, 180_000);

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('keypoints from DICOM pixels to stored rows', () => {
  it('land on the known dots of the middle slice, within a pixel and within a pixel in mm', async () => {
    const rows = await tdb.db.prisma.keypoint.findMany({ where: { role: 'keypoints-sagittal-t2' }, include: { instance: true } });
    expect(rows).toHaveLength(5);
    const middle = geometry(3);
    for (const [i, level] of LEVELS.entries()) {
      const k = rows.find((r) => r.level === level)!;
      expect(k.source).toBe('MODEL');
      // The middle slice by position is k = 3, which carries instance number SLICES - 3.
      expect(k.instance?.instanceNumber).toBe(SLICES - 3);
      expect(Math.abs(k.pixelX - DOTS[i].x)).toBeLessThanOrEqual(1);
      expect(Math.abs(k.pixelY - DOTS[i].y)).toBeLessThanOrEqual(1);
      const expected = pixelToPatient(middle, DOTS[i].x, DOTS[i].y);
      const mm = Math.hypot(k.patientX - expected[0], k.patientY - expected[1], k.patientZ - expected[2]);
      // Within a pixel on each axis (the seed's plain argmax at half the source resolution), hence sqrt(2) pixels in mm.
      expect(mm).toBeLessThanOrEqual(PIXEL_MM * Math.SQRT2 + 1e-9);
    }
  });

  it('still writes all 25 predictions, flagged, for a study without axial or Sag T1 series', async () => {
    const predictions = await tdb.db.prisma.prediction.findMany();
    expect(predictions).toHaveLength(25);
    for (const p of predictions) expect(p.normalMild + p.moderate + p.severe).toBeCloseTo(1, 6);
    const flagged = predictions.filter((p) => p.fallback !== null);
    // Foraminal and subarticular rows have no input series here; spinal has its Sag T2 ROI.
    expect(flagged.filter((p) => p.condition !== 'SPINAL_CANAL_STENOSIS')).toHaveLength(20);
    expect(flagged.every((p) => /NO_SERIES|prior|partial|zero-filled/i.test(p.fallback!))).toBe(true);
  });
});
