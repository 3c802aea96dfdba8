import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStudies, type ImportResult } from '../../src/services/import/import-studies.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { parseCsv } from '../../src/services/import/csv.js';
import { pseudonymousName } from '../../src/services/import/display-path.js';
import { generateDataset, type DatasetSummary } from '../../src/synth/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { edited, firstFrameRange } from '../unit/dicom/pixel-data-bytes.js';
import { pydicomSample } from '../unit/dicom/samples.js';

const SECRET = 'integration-test-patient-key';
let tdb: TestDatabase;
let dir: string;
let data: DatasetSummary;
let projectId: string;
let first: ImportResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-import-'));
  data = await generateDataset({ outDir: join(dir, 'cohort'), studies: 20, seed: 11, size: 96 });
  tdb = await createTestDatabase();
  projectId = (await ensureProject(tdb.db, 'import-test')).id;
  first = await importStudies(tdb.db, { root: join(dir, 'cohort'), projectId, secret: SECRET });
}, 240_000);

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('importing a synthetic RSNA cohort', () => {
  it('stores every study, series, instance, label and coordinate', async () => {
    const labelsCsv = parseCsv(await readFile(data.csv.labels, 'utf8'));
    const gradedCells = labelsCsv.rows.reduce(
      (n, r) => n + Object.entries(r.values).filter(([k, v]) => k !== 'study_id' && v !== '').length,
      0,
    );
    const coordinateRows = parseCsv(await readFile(data.csv.labelCoordinates, 'utf8')).rows.length;
    expect(first.layout).toBe('rsna');
    expect(first.failures).toEqual([]);
    expect(first.studies).toEqual({ added: 20, total: 20 });
    expect(first.series).toEqual({ added: data.seriesCount, total: data.seriesCount });
    expect(first.instances).toEqual({ added: data.fileCount, total: data.fileCount });
    expect(first.labels).toBe(gradedCells);
    expect(first.coordinates).toBe(coordinateRows);
    const p = tdb.db.prisma;
    expect(await p.study.count()).toBe(20);
    expect(await p.series.count()).toBe(data.seriesCount);
    expect(await p.instance.count()).toBe(data.fileCount);
    expect(await p.label.count()).toBe(gradedCells);
    expect(await p.labelCoordinate.count()).toBe(coordinateRows);
    // Every coordinate found the instance its CSV row names.
    expect(await p.labelCoordinate.count({ where: { instanceId: null } })).toBe(0);
  });

  it('types each series from the description CSV and orders slices along the normal', async () => {
    const types = await tdb.db.prisma.series.groupBy({ by: ['type'], _count: { _all: true } });
    expect(Object.fromEntries(types.map((t) => [t.type, t._count._all]))).toEqual({ SAGITTAL_T1: 20, SAGITTAL_T2_STIR: 20, AXIAL_T2: 20 });
    const sag = await tdb.db.prisma.series.findFirst({
      where: { type: 'SAGITTAL_T2_STIR' },
      include: { instances: { orderBy: { sliceIndex: 'asc' } } },
    });
    const positions = sag!.instances.map((i) => i.slicePosition);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(sag!.orientation).toBe('SAGITTAL');
    const axial = await tdb.db.prisma.series.findFirst({ where: { type: 'AXIAL_T2' } });
    expect(axial!.stackCount).toBeGreaterThan(1);
  });

  it('adds nothing when the same folder is imported again', async () => {
    const again = await importStudies(tdb.db, { root: join(dir, 'cohort'), projectId, secret: SECRET });
    expect(again.skippedKnownFiles).toBe(data.fileCount);
    expect(again.studies.added + again.series.added + again.instances.added + again.labels + again.coordinates).toBe(0);
    expect(await tdb.db.prisma.instance.count()).toBe(data.fileCount);
  });

  it('stores no patient-identifying attribute, only keyed pseudonyms', async () => {
    const study = await tdb.db.prisma.study.findFirst();
    expect(study!.patientKey).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify(
      await tdb.db.sql.query(
        `SELECT * FROM "Study" s JOIN "Series" se ON se."studyId" = s.id JOIN "Instance" i ON i."seriesId" = se.id LIMIT 500`,
      ),
    );
    expect(dump).not.toMatch(/SYNTH\^/i);
  });

  it('imports the good files of a folder with bad ones and reports each bad one', async () => {
    const messy = join(dir, 'messy');
    await mkdir(messy, { recursive: true });
    const studyDir = join(dir, 'cohort', 'train_images', String(data.studyIds[0]));
    const series = data.studies[0].series[0];
    const sources = [1, 2, 3].map((n) => join(studyDir, String(series.seriesId), `${n}.dcm`));
    for (const [i, src] of sources.entries()) await copyFile(src, join(messy, `good-${i}.dcm`));
    const bytes = await readFile(sources[0]);
    await writeFile(join(messy, 'truncated.dcm'), bytes.subarray(0, 700));
    await writeFile(join(messy, 'notes.txt'), 'not a DICOM file\n');
    // Same file with its transfer syntax UID (explicit VR little endian, padded to 20 bytes) replaced, in place,
    // by a UID of the same length that names no transfer syntax.
    const explicitLe = Buffer.from('1.2.840.10008.1.2.1\0');
    const at = bytes.indexOf(explicitLe);
    expect(at).toBeGreaterThan(0);
    const wrong = Buffer.from(bytes);
    Buffer.from('1.2.840.10008.1.2.9\0').copy(wrong, at);
    await writeFile(join(messy, 'wrong-syntax.dcm'), wrong);
    // A JPEG 2000 image whose packets are overwritten: it parses, only decoding finds it broken.
    const j2k = pydicomSample('MR_small_jp2klossless.dcm');
    const frame = firstFrameRange(j2k);
    await writeFile(
      join(messy, 'broken-pixels.dcm'),
      edited(j2k, (c) => c.fill(0xff, frame.position + 150, frame.position + 400)),
    );

    const other = (await ensureProject(tdb.db, 'messy')).id;
    const result = await importStudies(tdb.db, { root: messy, projectId: other, secret: SECRET });
    expect(result.layout).toBe('plain');
    expect(result.instances.added).toBe(3);
    // Failures name files relative to the import folder, names that are not identifiers pseudonymised.
    const reasons = Object.fromEntries(result.failures.map((f) => [f.path, f.code]));
    expect(reasons[pseudonymousName(SECRET, 'notes.txt')]).toBe('INVALID_DICOM');
    expect(reasons[pseudonymousName(SECRET, 'truncated.dcm')]).toBe('INVALID_DICOM');
    expect(reasons[pseudonymousName(SECRET, 'wrong-syntax.dcm')]).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    expect(reasons[pseudonymousName(SECRET, 'broken-pixels.dcm')]).toBe('INVALID_DICOM');
    const broken = result.failures.find((f) => f.path === pseudonymousName(SECRET, 'broken-pixels.dcm'));
    expect(broken?.reason).toMatch(/^cannot decode frame 0: JPEG 2000 .* decoder failed: /);
    expect(JSON.stringify(result.failures)).not.toContain(dir);
    expect(Object.keys(reasons)).toHaveLength(4);
    // The cohort imported before is untouched.
    expect(await tdb.db.prisma.instance.count({ where: { series: { study: { projectId } } } })).toBe(data.fileCount);
  });
});
