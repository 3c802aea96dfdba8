// Stored and modality values on hand-made images whose right answers can be worked out by hand: BitsStored masking
// with sign extension, HighBit below the top bit, rescale, MONOCHROME1 inversion, 8-bit signed, big endian,
// multi-frame offsets (1-bit frames that start mid-byte), and the errors decode raises.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { decodeFrame, decodeStoredFrame, parseDicom } from '../../../src/dicom/index.js';
import { mrImage, words, writeDicom, type Element, type Encoding } from './dicom-writer.js';

function image(options: Parameters<typeof mrImage>[0] & { encoding?: Encoding }) {
  return parseDicom(writeDicom(mrImage(options), { encoding: options.encoding }), 'hand-made.dcm');
}

describe('stored values', () => {
  it('masks signed 12-bit values out of 16 bits and sign-extends them', async () => {
    // High nibble holds junk (overlay bits); the low 12 bits are the two's-complement value.
    const raw = [0xaffb, 0x07ff, 0x5800, 0xf000];
    const i = image({ rows: 2, columns: 2, pixelData: words(raw), bitsStored: 12, pixelRepresentation: 1 });
    const frame = await decodeStoredFrame(i);
    expect(frame.pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(frame.pixels)).toEqual([-5, 2047, -2048, 0]);
  });

  it('masks unsigned 12-bit values', async () => {
    const i = image({ rows: 1, columns: 3, pixelData: words([0xf123, 0x0fff, 0x1000]), bitsStored: 12 });
    expect(Array.from((await decodeStoredFrame(i)).pixels)).toEqual([0x123, 0xfff, 0]);
  });

  it('reads values whose HighBit is not BitsStored - 1', async () => {
    // 12 bits stored in bits 4..15 (HighBit 15): value << 4, junk in the low nibble.
    const values = [-7, 100, 2047, -2048];
    const raw = values.map((v) => ((v & 0xfff) << 4) | 0x9);
    const i = image({ rows: 2, columns: 2, pixelData: words(raw), bitsStored: 12, highBit: 15, pixelRepresentation: 1 });
    expect(Array.from((await decodeStoredFrame(i)).pixels)).toEqual(values);
  });

  it('reads signed 8-bit samples into an Int8Array', async () => {
    const i = image({ rows: 2, columns: 2, pixelData: Uint8Array.of(0x80, 0xff, 0x00, 0x7f), bitsAllocated: 8, pixelRepresentation: 1 });
    const frame = await decodeStoredFrame(i);
    expect(frame.pixels).toBeInstanceOf(Int8Array);
    expect(Array.from(frame.pixels)).toEqual([-128, -1, 0, 127]);
  });

  it('reads big endian exactly like little endian', async () => {
    const raw = [0xaffb, 0x07ff, 0x5800, 0xf000];
    const le = image({ rows: 2, columns: 2, pixelData: words(raw), bitsStored: 12, pixelRepresentation: 1 });
    const be = image({
      rows: 2,
      columns: 2,
      pixelData: words(raw, false),
      bitsStored: 12,
      pixelRepresentation: 1,
      encoding: 'explicit-be',
    });
    expect(be.transferSyntaxUid).toBe('1.2.840.10008.1.2.2');
    expect(Array.from((await decodeStoredFrame(be)).pixels)).toEqual(Array.from((await decodeStoredFrame(le)).pixels));
  });

  it('finds each frame of a multi-frame native image, including 1-bit frames that start mid-byte', async () => {
    const frames = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ];
    const multi = parseDicom(
      writeDicom(mrImage({ rows: 2, columns: 2, pixelData: words(frames.flat()), extra: [[0x00280008, 'IS', '3']] })),
    );
    for (const f of [0, 1, 2]) expect(Array.from((await decodeStoredFrame(multi, f)).pixels)).toEqual(frames[f]);

    // Two 3x3 1-bit frames: 18 bits, the second frame starting at bit 9 (LSB first within each byte).
    const bits = [1, 0, 1, 1, 0, 0, 1, 1, 1, /* frame 1 */ 0, 1, 0, 0, 1, 1, 0, 0, 1];
    const packed = new Uint8Array(4);
    bits.forEach((b, k) => (packed[k >> 3] |= b << (k & 7)));
    const seg = parseDicom(
      writeDicom(mrImage({ rows: 3, columns: 3, pixelData: packed, bitsAllocated: 1, extra: [[0x00280008, 'IS', '2']] })),
    );
    expect(Array.from((await decodeStoredFrame(seg, 0)).pixels)).toEqual(bits.slice(0, 9));
    expect(Array.from((await decodeStoredFrame(seg, 1)).pixels)).toEqual(bits.slice(9));
  });
});

describe('modality values', () => {
  const rescale = (slope: string, intercept: string): Element[] => [
    [0x00281053, 'DS', slope],
    [0x00281052, 'DS', intercept],
  ];

  it('applies RescaleSlope and RescaleIntercept', async () => {
    const i = image({ rows: 1, columns: 4, pixelData: words([0, 1, 1000, -3]), pixelRepresentation: 1, extra: rescale('0.5', '-1024') });
    const frame = await decodeFrame(i);
    expect(frame.pixels).toBeInstanceOf(Float32Array);
    expect(Array.from(frame.pixels)).toEqual([-1024, -1023.5, -524, -1025.5]);
  });

  it('inverts MONOCHROME1 within the rescaled range of representable values', async () => {
    // Unsigned 12-bit: stored 0..4095, modality 2v - 100 in [-100, 8090]; inverted = -100 + 8090 - (2v - 100).
    const i = image({
      rows: 1,
      columns: 4,
      pixelData: words([0, 4095, 100, 1000]),
      bitsStored: 12,
      photometric: 'MONOCHROME1',
      extra: rescale('2', '-100'),
    });
    expect(Array.from((await decodeFrame(i)).pixels)).toEqual([8090, -100, 7890, 6090]);
    expect(Array.from((await decodeStoredFrame(i)).pixels)).toEqual([0, 4095, 100, 1000]); // stored values untouched
  });

  it('inverts signed MONOCHROME1 around the signed range', async () => {
    // Signed 8-bit: stored -128..127, no rescale: inverted = -128 + 127 - v = -1 - v.
    const i = image({
      rows: 1,
      columns: 3,
      pixelData: Uint8Array.of(0x80, 0x00, 0x7f),
      bitsAllocated: 8,
      pixelRepresentation: 1,
      photometric: 'MONOCHROME1',
    });
    expect(Array.from((await decodeFrame(i)).pixels)).toEqual([127, -1, -128]);
  });
});

describe('decode errors', () => {
  const i = image({ rows: 1, columns: 2, pixelData: words([1, 2]) });

  it('rejects a frame index outside the image', async () => {
    await expect(decodeFrame(i, 1)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(decodeFrame(i, -1)).rejects.toBeInstanceOf(AppError);
  });

  it('says clearly that a copied instance (e.g. from another thread) cannot be decoded', async () => {
    const copy = structuredClone(i);
    expect(copy.rows).toBe(1);
    await expect(decodeFrame(copy)).rejects.toThrow(/parseDicom in this thread/);
  });
});
