// A multi-frame instance pulled over WADO-RS from a real Orthanc and decoded frame by frame, pixel for pixel equal
// to its source: once stored compressed (JPEG-LS lossless, encoded by dcmtk's dcmcjpls) and pulled as stored, once
// stored uncompressed and transcoded by Orthanc to JPEG-LS lossless on request (Orthanc 1.10's DCMTK transcoder
// writes JPEG-LS, JPEG and RLE; it has no JPEG 2000 encoder, so JPEG 2000 is covered by the decoder's own tests).
// Skips with a printed reason where Orthanc, dcmtk or dicom3tools are missing.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDicomwebSources } from '../../src/config/dicomweb-sources.js';
import { decodeFrame, readDicomFile } from '../../src/dicom/index.js';
import { pullStudies } from '../../src/services/dicomweb/pull-studies.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { encodeDicomFile, MR_IMAGE_STORAGE, tag, type DicomElement } from '../../src/synth/dicom-writer.js';
import { startOrthanc, pacsUnavailableReason, type OrthancServer } from '../support/orthanc.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { resolveStorageUri } from '../../src/services/storage/storage-uri.js';

const run = promisify(execFile);
const skipReason = pacsUnavailableReason();
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
const ROWS = 48;
const COLUMNS = 40;
const FRAMES = 5;
const ROOT = '2.25.31415926535897932384626433832795';

/** Frame k: a 12-bit pattern that differs in every frame and every pixel neighbourhood (no flat runs). */
function framePixels(k: number): Uint16Array {
  const out = new Uint16Array(ROWS * COLUMNS);
  for (let y = 0; y < ROWS; y++)
    for (let x = 0; x < COLUMNS; x++) out[y * COLUMNS + x] = (x * 37 + y * 101 + k * 613 + ((x * y) % 17) * 29) % 4096;
  return out;
}

/** A multi-frame MR instance, explicit VR little endian, as a scanner's multi-frame export would hold it. */
function multiFrameFile(study: number): Buffer {
  const sop = `${ROOT}.${study}.3.1`;
  const pixels = new Uint16Array(ROWS * COLUMNS * FRAMES);
  for (let k = 0; k < FRAMES; k++) pixels.set(framePixels(k), k * ROWS * COLUMNS);
  const elements: DicomElement[] = [
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: sop },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: '20240102' },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0008, 0x1030), vr: 'LO', value: 'Lumbar multi-frame' },
    { tag: tag(0x0008, 0x103e), vr: 'LO', value: 'Sag T2' },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: `Multiframe^${study}` },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: `MF${study}` },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: `${ROOT}.${study}` },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: `${ROOT}.${study}.2` },
    { tag: tag(0x0020, 0x0011), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0032), vr: 'DS', value: ['0', '-100', '100'] },
    { tag: tag(0x0020, 0x0037), vr: 'DS', value: ['0', '1', '0', '0', '0', '-1'] },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0008), vr: 'IS', value: String(FRAMES) },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: ROWS },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: COLUMNS },
    { tag: tag(0x0028, 0x0030), vr: 'DS', value: ['0.8', '0.8'] },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array(pixels.buffer) },
  ];
  return encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: sop }, elements);
}

describe.skipIf(skipReason !== null)('a multi-frame instance pulled over WADO-RS from Orthanc', () => {
  let dir: string;
  let orthanc: OrthancServer;
  let tdb: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-dicomweb-multiframe-'));
    await writeFile(join(dir, 'stored-raw.dcm'), multiFrameFile(1));
    await writeFile(join(dir, 'raw.dcm'), multiFrameFile(2));
    // dcmtk encodes study 1 to JPEG-LS lossless, one fragment per frame, before Orthanc stores it.
    await run('/usr/bin/dcmcjpls', ['+el', join(dir, 'stored-raw.dcm'), join(dir, 'stored-jpegls.dcm')]);
    orthanc = await startOrthanc();
    await orthanc.upload([await readFile(join(dir, 'stored-jpegls.dcm')), await readFile(join(dir, 'raw.dcm'))]);
    tdb = await createTestDatabase();
  }, 180_000);

  afterAll(async () => {
    await orthanc?.stop();
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const sources = () =>
    parseDicomwebSources(
      JSON.stringify([
        {
          name: 'as-stored',
          baseUrl: orthanc.dicomwebUrl,
          auth: { type: 'basic', username: orthanc.username, password: orthanc.password },
          projects: ['*'],
        },
        {
          name: 'jpegls',
          baseUrl: orthanc.dicomwebUrl,
          auth: { type: 'basic', username: orthanc.username, password: orthanc.password },
          projects: ['*'],
          transferSyntax: JPEG_LS_LOSSLESS,
        },
      ]),
    );

  async function pullAndDecode(sourceName: string, study: number, project: string) {
    const source = sources().find((s) => s.name === sourceName);
    if (!source) throw new Error(`no source ${sourceName}`);
    const projectId = (await ensureProject(tdb.db, project)).id;
    const result = await pullStudies(tdb.db, {
      source,
      projectId,
      studyInstanceUids: [`${ROOT}.${study}`],
      secret: 'multiframe-test-secret',
      cacheDir: join(dir, 'cache'),
    });
    expect(result.failures).toEqual([]);
    expect(result.pull.instances).toMatchObject({ listed: 1, fetched: 1, failed: 0 });
    const stored = await tdb.db.prisma.instance.findFirstOrThrow({ where: { series: { study: { projectId } } } });
    const file = await readDicomFile(await resolveStorageUri(tdb.db, stored.storageUri));
    return { result, stored, file };
  }

  async function expectFramesEqualSource(file: Awaited<ReturnType<typeof readDicomFile>>): Promise<void> {
    expect(file.instance.numberOfFrames).toBe(FRAMES);
    for (let k = 0; k < FRAMES; k++) {
      const frame = await decodeFrame(file.instance, k);
      expect([frame.rows, frame.columns]).toEqual([ROWS, COLUMNS]);
      expect(Array.from(frame.pixels)).toEqual(Array.from(framePixels(k)));
    }
  }

  it('pulls a multi-frame JPEG-LS instance as stored and decodes every frame equal to the source', async () => {
    const { result, stored, file } = await pullAndDecode('as-stored', 1, 'multiframe-as-stored');
    expect(result.pull.transferSyntaxes).toEqual({ [JPEG_LS_LOSSLESS]: 1 });
    expect(stored.transferSyntaxUid).toBe(JPEG_LS_LOSSLESS);
    await expectFramesEqualSource(file);
  }, 120_000);

  it('asks Orthanc to transcode an uncompressed multi-frame instance to JPEG-LS and decodes every frame equal to the source', async () => {
    const { result, stored, file } = await pullAndDecode('jpegls', 2, 'multiframe-transcoded');
    expect(result.pull.transferSyntaxes).toEqual({ [JPEG_LS_LOSSLESS]: 1 });
    expect(stored.transferSyntaxUid).toBe(JPEG_LS_LOSSLESS);
    await expectFramesEqualSource(file);
  }, 120_000);
});
