// Issue 20, items 10, 11 (codec part), 12 (RLE) and 13 (codec part): corrupt encapsulated frames fail with
// INVALID_DICOM and a message a person can act on; nothing of a previous decode comes back; a damaged stream never
// makes a codec run long or decode more than the header's Rows x Columns.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { decodeStoredFrame, parseDicom } from '../../../src/dicom/index.js';
import { edited, firstFrameRange } from './pixel-data-bytes.js';
import { sum } from './pixel-compare.js';
import { fixtureBytes, pydicomSample, sample } from './samples.js';

async function decodeError(bytes: Uint8Array, name: string): Promise<AppError> {
  const result = await decodeStoredFrame(parseDicom(bytes, name)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(result, `${name} should not decode`).toBeInstanceOf(AppError);
  const err = result as AppError;
  expect(err.code).toBe('INVALID_DICOM');
  expect(err.message).toMatch(new RegExp(`^${name}: cannot decode frame 0: `));
  expect(err.message).not.toMatch(/failed: -?\d+$|TypeError|undefined|Maximum call stack/);
  return err;
}

/** A copy of `bytes` with `length` more bytes inserted at `offset`, every length field left as it was. */
function inserted(bytes: Uint8Array, offset: number, insert: readonly number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + insert.length);
  out.set(bytes.subarray(0, offset));
  out.set(insert, offset);
  out.set(bytes.subarray(offset), offset + insert.length);
  return out;
}

describe('JPEG 2000: no decoder state survives a failed frame', () => {
  const good = pydicomSample('MR_small_jp2klossless.dcm');
  const frame = firstFrameRange(good);

  it.each([
    ['packet data overwritten', (c: Uint8Array) => c.fill(0xff, frame.position + 150, frame.position + 400), /decode/i],
    ['main header damaged', (c: Uint8Array) => c.fill(0x11, frame.position + 100, frame.position + frame.length - 2), /header/i],
  ] as const)('%s, decoded right after a good image, fails instead of returning that image', async (_what, damage, reason) => {
    const previous = await decodeStoredFrame(parseDicom(good, 'good.dcm'));
    expect(sum(previous.pixels)).toBe(2125338);
    const err = await decodeError(edited(good, damage), 'bad.dcm');
    expect(err.message).toMatch(reason);
    expect(err.message).toMatch(/JPEG 2000/);
  });

  it('a damaged code-block decodes to the same pixels whatever was decoded before (fuzz case 5044, seed 20)', async () => {
    // OpenJPEG reads heap bytes it never wrote for this mutant: with a shared instance the result followed the
    // previous image. tests/fixtures/dicom/fuzz/ holds the mutant (MR_small_jp2klossless with 3 edits).
    const mutant = fixtureBytes('fuzz/j2k-uninitialised-heap.dcm');
    const sums: number[] = [];
    for (const primer of ['MR_small_jp2klossless.dcm', 'JPEG2000.dcm', 'GDCMJ2K_TextGBR.dcm']) {
      await decodeStoredFrame(parseDicom(pydicomSample(primer), primer));
      sums.push(sum((await decodeStoredFrame(parseDicom(mutant, 'mutant.dcm'))).pixels));
    }
    expect(new Set(sums).size).toBe(1);
  });

  it('refuses a codestream whose SIZ declares another size than Rows x Columns, naming both', async () => {
    const view = (c: Uint8Array): DataView => new DataView(c.buffer, c.byteOffset, c.byteLength);
    const wider = edited(good, (c) => view(c).setUint32(frame.position + 8, 4096)); // Xsiz
    const err = await decodeError(wider, 'siz.dcm');
    expect(err.message).toContain('declares 4096x64x1 (columns x rows x samples), the header 64x64x1');
  });

  it('refuses a codestream cut short instead of decoding what is left of it', async () => {
    const cut = edited(good, (c) => c.fill(0, frame.position + frame.length - 300, frame.position + frame.length));
    const err = await decodeError(cut, 'cut.dcm');
    expect(err.message).toMatch(/truncated \(it does not end with the FFD9 end marker\)/);
  });
});

describe('8-bit JPEG: libjpeg-turbo exceptions become words, not heap addresses', () => {
  const good = pydicomSample('SC_rgb_jpeg_dcmtk.dcm');
  const frame = firstFrameRange(good);
  const startOfScan = frame.position + 319; // FFDA of this file's stream

  it('a start-of-scan naming a component that does not exist', async () => {
    const err = await decodeError(
      edited(good, (c) => void (c[startOfScan + 5] = 7)),
      'sos.dcm',
    );
    expect(err.message).toMatch(/JPEG Baseline \(Process 1\) decoder failed: error reading header$/);
  });

  it('entropy-coded data overwritten with markers', async () => {
    const err = await decodeError(
      edited(good, (c) => c.fill(0xff, startOfScan + 20, startOfScan + 60)),
      'scan.dcm',
    );
    expect(err.message).toMatch(/decoder failed: [a-z ]{10,}/);
  });
});

describe("12-bit JPEG: the JavaScript decoder's own errors are not the message", () => {
  it('a start-of-scan naming a missing component: "malformed data", the TypeError kept as the cause', async () => {
    const good = pydicomSample('JPGExtended.dcm');
    const startOfScan = firstFrameRange(good).position + 157; // FFDA of this file's stream
    const err = await decodeError(
      edited(good, (c) => void (c[startOfScan + 5] = 9)),
      'sos12.dcm',
    );
    expect(err.message).toMatch(
      /JPEG Extended \(Process 2 & 4\) decoder failed: malformed data \(the reader stopped on an inconsistent value\)$/,
    );
    expect(String(err.cause)).toMatch(/^TypeError: /);
  });
});

describe('JPEG-LS', () => {
  it('a frame cut at a fragment boundary fails at once (CharLS took 30 s on it)', async () => {
    // One byte inserted into the first of 8 KB fragments, lengths untouched: the data set now reads as two
    // fragments for two frames, and frame 0 is the first 8 KB of a 45 KB stream.
    const original = sample('encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm');
    const bytes = inserted(original, firstFrameRange(original).position + 7663, [41]);
    const started = performance.now();
    const err = await decodeError(bytes, 'inserted.dcm');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.message).toMatch(/JPEG-LS Lossless stream is truncated/);
  });

  it('CharLS exceptions keep their message', async () => {
    const good = sample('encapsulated/single-frame/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm');
    const frame = firstFrameRange(good);
    const err = await decodeError(
      edited(good, (c) => c.fill(0x55, frame.position + 40, frame.position + 400)),
      'charls.dcm',
    );
    expect(err.message).toMatch(/JPEG-LS Lossless decoder failed: Invalid JPEG-LS stream/);
  });

  it('a start-of-frame declaring more rows than the header is refused before CharLS runs', async () => {
    const good = sample('encapsulated/single-frame/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm');
    const frame = firstFrameRange(good);
    const err = await decodeError(
      edited(good, (c) => void (c[frame.position + 7] = 0x7f)), // SOF55 height 0x0200 -> 0x7f00
      'sof.dcm',
    );
    expect(err.message).toContain('declares 512x32512x1 (columns x rows x samples), the header 512x512x1');
  });
});

describe('RLE: the stream, not the header, decides how many pixels there are', () => {
  it('Rows raised to 65535 is refused (the segments hold 64 rows), not decoded to a 65535-row image', async () => {
    const good = pydicomSample('MR_small_RLE.dcm');
    const rows = findUs(good, 0x0010);
    const err = await decodeError(
      edited(good, (c) => new DataView(c.buffer).setUint16(rows, 65535, true)),
      'rows.dcm',
    );
    expect(err.message).toMatch(/RLE segment 1 of 2 decodes to 4096 bytes; Rows x Columns \(65535x64\) need 4194240/);
  });
});

/** Offset of the value of (0028,eeee) US in an explicit little-endian file. */
function findUs(bytes: Uint8Array, element: number): number {
  for (let i = 132; i + 8 < bytes.length; i++) {
    if (bytes[i] === 0x28 && bytes[i + 1] === 0 && bytes[i + 2] === (element & 0xff) && bytes[i + 3] === element >> 8)
      if (bytes[i + 4] === 0x55 && bytes[i + 5] === 0x53) return i + 8;
  }
  throw new Error('element not found');
}
