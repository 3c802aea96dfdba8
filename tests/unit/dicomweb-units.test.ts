// The parts of DICOMweb support that need no archive: the multipart reader (every split of the byte stream),
// the sources' configuration (secrets never printed), sealed UIDs (tampering and wrong keys refused), QIDO criteria.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseDicomwebSources } from '../../src/config/dicomweb-sources.js';
import { MultipartError, writeMultipartParts } from '../../src/dicomweb/multipart.js';
import { studySearchParams } from '../../src/dicomweb/qido.js';
import { endsWithEndMarker } from '../../src/dicom/codecs/stream-header.js';
import { openUid, sealKey, sealUid } from '../../src/services/dicomweb/sealed-uid.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-multipart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.subarray(at, c);
    at = c;
  }
}

describe('the multipart/related reader', () => {
  const boundary = 'b0und4ry';
  const partA = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from('\r\n--b0und4 not a boundary\r\n')]);
  const partB = Buffer.from('second part\r\n-');
  const body = Buffer.concat([
    Buffer.from(`preamble\r\n--${boundary}\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n`),
    partA,
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    partB,
    Buffer.from(`\r\n--${boundary}--\r\nepilogue`),
  ]);
  const contentType = `multipart/related; type="application/dicom"; boundary="${boundary}"`;

  it('writes every part to its own file, whichever way the stream is cut', async () => {
    for (let cut = 1; cut < body.length; cut += 3) {
      const parts = await writeMultipartParts(chunked(body, [cut, Math.min(body.length, cut + 7)]), contentType, (i) =>
        join(dir, `p${cut}-${i}`),
      );
      expect(parts.map((p) => p.bytes)).toEqual([partA.length, partB.length]);
      expect((await readFile(parts[0].path)).equals(partA)).toBe(true);
      expect((await readFile(parts[1].path)).equals(partB)).toBe(true);
      expect(parts[0].headers['content-type']).toBe('application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
    }
  });

  it('refuses a body that ends before its closing delimiter, and a non-multipart answer', async () => {
    await expect(
      writeMultipartParts(chunked(body.subarray(0, body.length - 20), []), contentType, (i) => join(dir, `t${i}`)),
    ).rejects.toThrow(MultipartError);
    await expect(writeMultipartParts(chunked(body, []), 'application/dicom', (i) => join(dir, `u${i}`))).rejects.toThrow(/multipart/);
  });
});

describe('DICOMWEB_SOURCES', () => {
  const valid = [
    {
      name: 'pacs',
      baseUrl: 'https://pacs.example.org/dicom-web/',
      auth: { type: 'basic', username: 'u', password: 'hunter2-secret' },
      projects: ['*'],
    },
    {
      name: 'cloud',
      baseUrl: 'https://x.example.org/dw',
      auth: { type: 'oauth2', tokenUrl: 'https://x.example.org/token', clientId: 'c', clientSecret: 'oauth-secret-9' },
      projects: ['p1'],
      linkage: true,
    },
  ];

  it('parses sources with defaults, strips the trailing slash, and never prints a credential', () => {
    const config = loadConfig({ DICOMWEB_SOURCES: JSON.stringify(valid), DICOMWEB_LINKAGE_KEY: 'k'.repeat(40) });
    const [pacs, cloud] = config.dicomweb.sources;
    expect(pacs).toMatchObject({
      name: 'pacs',
      baseUrl: 'https://pacs.example.org/dicom-web',
      transferSyntax: '*',
      linkage: false,
      concurrency: 4,
    });
    expect(cloud.linkage).toBe(true);
    const printed = JSON.stringify(config) + inspect(config, { depth: 10 }) + String(pacs.auth.type === 'basic' && pacs.auth.password);
    expect(printed).not.toMatch(/hunter2|oauth-secret/);
    expect(pacs.auth.type === 'basic' && pacs.auth.password.reveal()).toBe('hunter2-secret');
  });

  it('names the bad field without echoing secrets, and requires a distinct linkage key for linkage', () => {
    const bad = [{ ...valid[0], baseUrl: 'file:///etc/passwd' }];
    expect(() => parseDicomwebSources(JSON.stringify(bad))).toThrow(/sources\.0\.baseUrl/);
    try {
      loadConfig({ DICOMWEB_SOURCES: JSON.stringify(bad) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect(String(e)).not.toContain('hunter2');
    }
    expect(() => loadConfig({ DICOMWEB_SOURCES: JSON.stringify(valid) })).toThrow(/DICOMWEB_LINKAGE_KEY: required/);
    expect(() =>
      loadConfig({
        DICOMWEB_SOURCES: JSON.stringify(valid),
        DICOMWEB_LINKAGE_KEY: 'same-key-as-the-pseudonyms-0123456789',
        PATIENT_KEY_SECRET: 'same-key-as-the-pseudonyms-0123456789',
      }),
    ).toThrow(/must differ from PATIENT_KEY_SECRET/);
    expect(() => loadConfig({ DICOMWEB_SOURCES: '/no/such/file.json' })).toThrow(/neither a JSON array nor a readable file/);
    expect(() => parseDicomwebSources(JSON.stringify([valid[0], valid[0]]))).toThrow(/used twice/);
  });
});

describe('sealed UIDs', () => {
  it('open only with the same key and the same row', () => {
    const key = sealKey('linkage-key-0123456789-0123456789', 'linkage');
    const sealed = sealUid(key, '1.2.826.0.1.3680043.2.1125.1', 'project:2.25.1');
    expect(sealed).not.toContain('1.2.826');
    expect(openUid(key, sealed, 'project:2.25.1')).toBe('1.2.826.0.1.3680043.2.1125.1');
    expect(() => openUid(key, sealed, 'project:2.25.2')).toThrow(/does not open/);
    expect(() => openUid(sealKey('linkage-key-0123456789-0123456789', 'job-params'), sealed, 'project:2.25.1')).toThrow(/does not open/);
    const flipped = Buffer.from(sealed, 'base64');
    flipped[flipped.length - 1] ^= 1;
    expect(() => openUid(key, flipped.toString('base64'), 'project:2.25.1')).toThrow(/does not open/);
  });
});

describe('QIDO study criteria', () => {
  it('become QIDO parameters, patient-free, with wildcards only where spinegraph puts them', () => {
    const p = studySearchParams({
      studyDateFrom: '2024-01-01',
      studyDateTo: '2024-03-31',
      modality: 'MR',
      studyDescriptionContains: 'lumbar',
    });
    expect(p.get('StudyDate')).toBe('20240101-20240331');
    expect(p.get('ModalitiesInStudy')).toBe('MR');
    expect(p.get('StudyDescription')).toBe('*lumbar*');
    expect(p.get('limit')).toBe('50');
    expect(() => studySearchParams({ studyDateFrom: '2024-04-01', studyDateTo: '2024-03-31' })).toThrow(/after/);
    expect(() => studySearchParams({ modality: 'mr;drop' })).toThrow(/modality/);
    expect(() => studySearchParams({ limit: 1000 })).toThrow(/limit/);
  });
});

describe('the end-marker check on pulled JPEG-LS frames', () => {
  it("accepts DCMTK's single non-zero pad byte after FFD9 (Orthanc's transcoder), and still refuses a cut stream", () => {
    const body = [0xff, 0xd8, 0x01, 0x02, 0x03];
    expect(endsWithEndMarker(Uint8Array.from([...body, 0xff, 0xd9, 0x02]).subarray(0, 8))).toBe(true);
    expect(endsWithEndMarker(Uint8Array.from([...body, 0x04, 0xff, 0xd9]))).toBe(true);
    expect(endsWithEndMarker(Uint8Array.from([...body, 0xff, 0xd9, 0x00]))).toBe(true);
    expect(endsWithEndMarker(Uint8Array.from([...body, 0x04, 0x05, 0x06]))).toBe(false);
    expect(endsWithEndMarker(Uint8Array.from([...body, 0xff, 0xd9, 0x07, 0x08, 0x09]))).toBe(false);
  });
});
