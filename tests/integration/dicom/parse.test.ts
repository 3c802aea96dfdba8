import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { decodeFrame, parseDicom } from '../../../src/dicom/index.js';
import { mrImage, words, writeDicom } from '../../unit/dicom/dicom-writer.js';
import { listPydicomSamples, listSamples, pydicomSample, sample } from '../../unit/dicom/samples.js';

function expectAppError(fn: () => unknown, code: string, messagePart?: string | RegExp): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe(code);
    if (messagePart) expect(err.message).toMatch(messagePart);
    return err;
  }
  throw new Error('expected an AppError');
}

describe('parseDicom on the dicomParser samples', () => {
  const files = listSamples();

  it('finds the samples', () => {
    expect(files).toHaveLength(22);
  });

  it.each(files)('parses %s', (path) => {
    const instance = parseDicom(sample(path), path);
    expect(instance.sopInstanceUid).toMatch(/^[0-9.]+$/);
    expect(instance.studyInstanceUid).toMatch(/^[0-9.]+$/);
    expect(instance.seriesInstanceUid).toMatch(/^[0-9.]+$/);
    expect(instance.source).toBe(path);
  });

  it('reads the CT1_UNC metadata the pipeline needs', () => {
    const i = parseDicom(sample('CT1_UNC.explicit_little_endian.dcm'));
    expect(i).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      modality: 'CT',
      rows: 512,
      columns: 512,
      numberOfFrames: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      highBit: 15,
      pixelRepresentation: 1,
      samplesPerPixel: 1,
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      hasPixelData: true,
    });
    expect(i.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    expect(i.geometry?.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    expect(i.geometry?.pixelSpacing).toEqual(i.pixelSpacing);
    expect(i.identifiers).toEqual({ patientId: '1CT1', studyInstanceUid: i.studyInstanceUid, seriesInstanceUid: i.seriesInstanceUid });
  });

  it('keeps no patient name or other identifying attribute from a real file', () => {
    const i = parseDicom(sample('CT1_UNC.explicit_little_endian.dcm'));
    expect(JSON.stringify(i)).not.toContain('CompressedSamples'); // PatientName is CompressedSamples^CT1
  });

  it('reads enhanced multi-frame geometry and rescale from the functional groups', () => {
    const i = parseDicom(sample('encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'));
    expect(i.numberOfFrames).toBe(2);
    expect(i.frameGeometries).toHaveLength(2);
    expect(i.frameGeometries?.every((g) => g !== undefined)).toBe(true);
    expect(i.geometry).toEqual(i.frameGeometries?.[0]);
    expect(i.pixelSpacing).toEqual([0.388672, 0.388672]);
    expect(i.rescaleIntercept).toBe(-1024);
  });

  it('parses deflated report and waveform objects, which have no pixels, and refuses to decode them', async () => {
    for (const name of ['deflate/report_dfl', 'deflate/wave_dfl']) {
      const i = parseDicom(sample(name), name);
      expect(i.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
      expect(i.hasPixelData).toBe(false);
      expect(i.rows).toBeUndefined();
      const err = await decodeFrame(i).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('INVALID_DICOM');
      expect((err as AppError).message).toMatch(new RegExp(`^${name}: .*no Pixel Data`));
    }
  });
});

describe('parseDicom on hand-made and damaged files', () => {
  const image = mrImage({ rows: 2, columns: 2, pixelData: words([1, 2, 3, 4]) });

  it('never keeps identifying attributes other than the patient ID', () => {
    const bytes = writeDicom([
      ...image,
      [0x00080080, 'LO', 'St Elsewhere Hospital'],
      [0x00080081, 'ST', '1 Hospital Road'],
      [0x00080090, 'PN', 'Referring^Doctor'],
      [0x00081050, 'PN', 'Performing^Physician'],
      [0x00100010, 'PN', 'Doe^Jane'],
      [0x00100020, 'LO', 'PID-12345'],
      [0x00100030, 'DA', '19700101'],
      [0x00101040, 'LO', '221B Baker Street'],
    ]);
    const i = parseDicom(bytes);
    const text = JSON.stringify(i);
    for (const phi of ['Elsewhere', 'Hospital Road', 'Referring', 'Performing', 'Doe^Jane', 'Jane', '19700101', 'Baker'])
      expect(text).not.toContain(phi);
    expect(i.identifiers.patientId).toBe('PID-12345');
    expect(text.match(/PID-12345/g)).toHaveLength(1); // only in identifiers
  });

  it.each(['explicit-le', 'explicit-be', 'implicit-le'] as const)('reads a %s data set without preamble or meta', (encoding) => {
    const pixels = words([1, 2, 3, 4], encoding !== 'explicit-be');
    const bytes = writeDicom(mrImage({ rows: 2, columns: 2, pixelData: pixels }), { encoding, part10: false });
    const i = parseDicom(bytes, 'bare');
    expect(i.transferSyntaxUid).toBe(
      { 'explicit-le': '1.2.840.10008.1.2.1', 'explicit-be': '1.2.840.10008.1.2.2', 'implicit-le': '1.2.840.10008.1.2' }[encoding],
    );
    expect(i.rows).toBe(2);
  });

  it('reads pydicom files without meta', () => {
    expect(parseDicom(pydicomSample('ExplVR_LitEndNoMeta.dcm')).transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(parseDicom(pydicomSample('ExplVR_BigEndNoMeta.dcm')).transferSyntaxUid).toBe('1.2.840.10008.1.2.2');
    expect(parseDicom(pydicomSample('rtstruct.dcm')).transferSyntaxUid).toBe('1.2.840.10008.1.2');
  });

  it('reads a meta group that lacks the 128-byte preamble', () => {
    const full = writeDicom(image);
    const i = parseDicom(full.subarray(132), 'no-preamble');
    expect(i.rows).toBe(2);
    expect(i.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
  });

  it('rejects a truncated file with INVALID_DICOM naming the file', () => {
    expectAppError(() => parseDicom(pydicomSample('MR_truncated.dcm'), 'MR_truncated.dcm'), 'INVALID_DICOM', /^MR_truncated\.dcm: /);
    const ct = sample('CT1_UNC.explicit_little_endian.dcm');
    expectAppError(() => parseDicom(ct.subarray(0, ct.length - 1000), 'cut.dcm'), 'INVALID_DICOM', /^cut\.dcm: /);
    const jpegLs = sample('encapsulated/single-frame/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm');
    expectAppError(() => parseDicom(jpegLs.subarray(0, jpegLs.length - 5000), 'cut-ls.dcm'), 'INVALID_DICOM', /^cut-ls\.dcm: /);
  });

  it('rejects pixel data shorter than the frames it must hold', () => {
    const short = mrImage({ rows: 4, columns: 4, pixelData: words([1, 2, 3, 4]) });
    expectAppError(() => parseDicom(writeDicom(short), 'short.dcm'), 'INVALID_DICOM', /Pixel Data holds 8 bytes, 32 needed/);
  });

  it('rejects non-DICOM bytes', () => {
    expectAppError(
      () => parseDicom(new TextEncoder().encode('study_id,series_id\n1,2\n'.repeat(20)), 'labels.csv'),
      'INVALID_DICOM',
      /^labels\.csv: .*no DICM prefix/,
    );
    expectAppError(() => parseDicom(new Uint8Array(0), 'empty'), 'INVALID_DICOM');
    expectAppError(() => parseDicom(new Uint8Array(300).fill(0xab), 'noise'), 'INVALID_DICOM');
  });

  it('rejects a transfer syntax it cannot decode with UNSUPPORTED_TRANSFER_SYNTAX', () => {
    const htj2k = writeDicom(image, { transferSyntaxUid: '1.2.840.10008.1.2.4.201' });
    const err = expectAppError(
      () => parseDicom(htj2k, 'htj2k.dcm'),
      'UNSUPPORTED_TRANSFER_SYNTAX',
      /htj2k\.dcm: transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201/,
    );
    expect(err.details).toMatchObject({ transferSyntaxUid: '1.2.840.10008.1.2.4.201' });
  });

  it('rejects files without the UIDs the importer groups by', () => {
    const noSeries = mrImage({ rows: 2, columns: 2, pixelData: words([1, 2, 3, 4]) }).filter((e) => e[0] !== 0x0020000e);
    expectAppError(() => parseDicom(writeDicom(noSeries), 'x.dcm'), 'INVALID_DICOM', /missing Series Instance UID \(0020,000e\)/);
  });
});

describe('parseDicom robustness on pydicom test files', () => {
  const files = listPydicomSamples();

  it('parses or raises an AppError, never anything else, and decodes or raises an AppError', async () => {
    expect(files.length).toBeGreaterThan(50);
    let parsed = 0;
    for (const path of files) {
      let instance;
      try {
        instance = parseDicom(pydicomSample(path), basename(path));
        parsed++;
      } catch (e) {
        expect(e, path).toBeInstanceOf(AppError);
        continue;
      }
      if (!instance.hasPixelData) continue;
      await decodeFrame(instance).catch((e: unknown) => expect(e, path).toBeInstanceOf(AppError));
    }
    expect(parsed).toBeGreaterThan(50);
  });
});
