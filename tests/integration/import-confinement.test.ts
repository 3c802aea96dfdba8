// An import reads nothing outside its folder (and so nothing outside DATA_ROOTS): links to files and folders
// outside, at every level of the RSNA layout (the CSVs, the image folders, study and series folders, single
// files), are refused and reported, and nothing of what they point at reaches a stored row or the result. Links
// that stay inside the folder are followed. Failures name files relative to the folder, never by server path, and
// folder names that are not identifiers are pseudonymised; SeriesDescription is kept only when it is protocol words.
import { cp, mkdir, mkdtemp, readdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonymousName } from '../../src/services/import/display-path.js';
import { importStudies, type ImportResult } from '../../src/services/import/import-studies.js';
import { keptDescription, descriptionAllowList, DEFAULT_DESCRIPTION_WORDS } from '../../src/services/import/series-description.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { resolveStorageUri } from '../../src/services/storage/storage-uri.js';
import { generateDataset, type DatasetSummary } from '../../src/synth/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SECRET = 'confinement-test-patient-key';
const SECRET_TEXT = 'TOP-SECRET-OUTSIDE-LINE';
let tdb: TestDatabase;
let dir: string;
let cohort: string;
let data: DatasetSummary;
let outsideData: DatasetSummary;
let result: ImportResult;
let projectId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-confine-'));
  cohort = join(dir, 'root', 'cohort');
  const outside = join(dir, 'outside');
  data = await generateDataset({ outDir: cohort, studies: 2, seed: 31, size: 64, workers: 1 });
  outsideData = await generateDataset({ outDir: join(outside, 'other'), studies: 2, seed: 32, size: 64, workers: 1, firstStudyId: 9000 });
  await writeFile(join(outside, 'secret.csv'), `${SECRET_TEXT},x\n${SECRET_TEXT}-2,y\n`);
  const [study0, study1] = data.studies;
  const [outStudy0, outStudy1] = outsideData.studies;
  const images = join(cohort, 'train_images');
  const outImages = join(outside, 'other', 'train_images');
  // The CSVs: each replaced by a link out (one of them to /etc/passwd).
  await rm(join(cohort, 'train.csv'));
  await symlink(join(outside, 'secret.csv'), join(cohort, 'train.csv'));
  await rm(join(cohort, 'train_label_coordinates.csv'));
  await symlink('/etc/passwd', join(cohort, 'train_label_coordinates.csv'));
  await writeFile(
    join(outside, 'descriptions.csv'),
    `study_id,series_id,series_description\n${study0.studyId},${study0.series[0].seriesId},${SECRET_TEXT}\n`,
  );
  await rm(join(cohort, 'train_series_descriptions.csv'));
  await symlink(join(outside, 'descriptions.csv'), join(cohort, 'train_series_descriptions.csv'));
  // An image folder, a study folder, a series folder and a single file, each a link out.
  await symlink(outImages, join(cohort, 'test_images'));
  await symlink(join(outImages, String(outStudy0.studyId)), join(images, String(outStudy0.studyId)));
  await symlink(
    join(outImages, String(outStudy1.studyId), String(outStudy1.series[0].seriesId)),
    join(images, String(study0.studyId), String(outStudy1.series[0].seriesId)),
  );
  await symlink(
    join(outImages, String(outStudy1.studyId), String(outStudy1.series[1].seriesId), '1.dcm'),
    join(images, String(study0.studyId), String(study0.series[0].seriesId), '9999.dcm'),
  );
  // A broken link, and a link inside the folder (a series moved elsewhere in it and linked back): followed.
  await symlink(join(outside, 'gone'), join(images, String(study1.studyId), 'broken'));
  await mkdir(join(cohort, 'store'), { recursive: true });
  const moved = join(images, String(study1.studyId), String(study1.series[0].seriesId));
  await rename(moved, join(cohort, 'store', 'moved-series'));
  await symlink(join('..', '..', 'store', 'moved-series'), moved);
  // A cycle inside the folder ends.
  await symlink('..', join(images, String(study1.studyId), String(study1.series[1].seriesId), 'loop'));

  tdb = await createTestDatabase();
  projectId = (await ensureProject(tdb.db, 'confinement')).id;
  result = await importStudies(tdb.db, { root: cohort, projectId, secret: SECRET });
}, 240_000);

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an import with links at every level', () => {
  it('refuses and reports every link leading out, by its path relative to the folder', () => {
    const [study0, study1] = data.studies;
    const [outStudy0, outStudy1] = outsideData.studies;
    const forbidden = result.failures.filter((f) => f.code === 'FORBIDDEN').map((f) => f.path);
    expect(forbidden.sort()).toEqual(
      [
        'train.csv',
        'train_label_coordinates.csv',
        'train_series_descriptions.csv',
        'test_images',
        `train_images/${outStudy0.studyId}`,
        `train_images/${study0.studyId}/${outStudy1.series[0].seriesId}`,
        `train_images/${study0.studyId}/${study0.series[0].seriesId}/9999.dcm`,
      ].sort(),
    );
    const broken = result.failures.filter((f) => f.reason.includes('broken link'));
    expect(broken.map((f) => f.path)).toEqual([`train_images/${study1.studyId}/${pseudonymousName(SECRET, 'broken')}`]);
  });

  it('imports exactly the files inside, following links that stay inside', async () => {
    expect(result.instances.added).toBe(data.fileCount);
    expect(result.studies.total).toBe(2);
    expect(result.series.total).toBe(data.seriesCount);
    const studies = await tdb.db.prisma.study.findMany({ select: { externalId: true } });
    expect(studies.map((s) => s.externalId).sort()).toEqual(data.studies.map((s) => String(s.studyId)).sort());
    const movedSeries = await tdb.db.prisma.series.findFirst({ where: { externalId: String(data.studies[1].series[0].seriesId) } });
    expect(movedSeries?.instanceCount).toBe(data.studies[1].series[0].instanceCount);
    // Neither labels nor coordinates were read: both CSVs point outside.
    expect(result.labels).toBe(0);
    expect(result.coordinates).toBe(0);
  });

  it('lets nothing of the outside files reach the result or a stored row', async () => {
    const answer = JSON.stringify(result);
    for (const needle of [SECRET_TEXT, 'root:x:0:0', dir]) expect(answer).not.toContain(needle);
    const rows = JSON.stringify(
      await tdb.db.sql.query(
        `SELECT se.description, se."externalId", s."externalId" AS study FROM "Series" se JOIN "Study" s ON s.id = se."studyId"`,
      ),
    );
    expect(rows).not.toContain(SECRET_TEXT);
    expect(rows).not.toContain('9000');
    const instanceUris = await tdb.db.sql.query<{ storageUri: string }>(`SELECT "storageUri" FROM "Instance"`);
    // Every stored location resolves inside the imported folder.
    expect(instanceUris.length).toBeGreaterThan(0);
    const realCohort = await realpath(cohort);
    for (const r of instanceUris) expect((await resolveStorageUri(tdb.db, r.storageUri)).startsWith(`${realCohort}/`)).toBe(true);
  });
});

describe('names and descriptions that could carry PHI', () => {
  it('names a bad file in a patient-named folder by pseudonyms, relative to the folder', async () => {
    const plain = join(dir, 'root', 'pacs');
    const folder = join(plain, 'DOE_JOHN_19440229', 'MR_LSPINE');
    await mkdir(folder, { recursive: true });
    const source = join(cohort, 'train_images', String(data.studies[0].studyId), String(data.studies[0].series[0].seriesId));
    const [first] = (await readdir(source)).filter((n) => n.endsWith('.dcm'));
    await cp(join(source, first), join(folder, '1.dcm'));
    await writeFile(join(folder, 'DOE_JOHN.dcm'), 'not DICOM');
    const other = (await ensureProject(tdb.db, 'pacs')).id;
    const plainResult = await importStudies(tdb.db, { root: plain, projectId: other, secret: SECRET });
    expect(plainResult.instances.added).toBe(1);
    expect(plainResult.failures).toHaveLength(1);
    expect(plainResult.failures[0].path).toBe(
      `${pseudonymousName(SECRET, 'DOE_JOHN_19440229')}/${pseudonymousName(SECRET, 'MR_LSPINE')}/${pseudonymousName(SECRET, 'DOE_JOHN.dcm')}`,
    );
    expect(JSON.stringify(plainResult)).not.toMatch(/DOE|JOHN|19440229/);
  });

  it('keeps a SeriesDescription made of protocol words and drops any other', () => {
    const words = descriptionAllowList(DEFAULT_DESCRIPTION_WORDS);
    expect(keptDescription('Sagittal T2/STIR', words)).toBe('Sagittal T2/STIR');
    expect(keptDescription('AX T2 FSE 3mm', words)).toBeNull();
    expect(keptDescription('AX T2 FSE 3', words)).toBe('AX T2 FSE 3');
    expect(keptDescription('SAG T1 DOE JOHN', words)).toBeNull();
    expect(keptDescription('Sagittal T1 (repeat, patient moved)', words)).toBeNull();
    expect(keptDescription('', words)).toBeNull();
    expect(keptDescription('Sagittal T1', descriptionAllowList([]))).toBeNull();
    expect(keptDescription('Custom Protocol', descriptionAllowList(['custom', 'protocol']))).toBe('Custom Protocol');
  });
});
