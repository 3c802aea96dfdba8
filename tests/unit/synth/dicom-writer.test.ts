import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import {
  encodeDicomFile,
  EXPLICIT_VR_LITTLE_ENDIAN,
  formatDecimalString,
  isValidUid,
  MR_IMAGE_STORAGE,
  roundToDecimalString,
  tag,
  type DicomElement,
} from '../../../src/synth/dicom-writer.js';

const SOP_UID = '2.25.123456789012345678901234567890';

function encode(dataset: DicomElement[]): Buffer {
  return encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: SOP_UID }, dataset);
}

/** Walks the explicit-VR-LE elements from `offset` and returns [tag, vr, length, valueOffset] for each. */
function walk(bytes: Buffer, offset: number, end: number): [number, string, number, number][] {
  const out: [number, string, number, number][] = [];
  while (offset < end) {
    const t = ((bytes.readUInt16LE(offset) << 16) | bytes.readUInt16LE(offset + 2)) >>> 0;
    const vr = bytes.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'SQ', 'UT', 'UN'].includes(vr);
    const length = long ? bytes.readUInt32LE(offset + 8) : bytes.readUInt16LE(offset + 6);
    const valueOffset = offset + (long ? 12 : 8);
    out.push([t, vr, length, valueOffset]);
    offset = valueOffset + length;
  }
  expect(offset).toBe(end);
  return out;
}

describe('DICOM Part 10 writer', () => {
  const pixels = new Uint16Array([0, 1, 4095, 513, 7, 9]);
  const file = encode([
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: 'SYNTH^PATIENT^0001' }, // 18 chars: even, no padding
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0008, 0x103e), vr: 'LO', value: 'Axial T2' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.2.3' }, // odd: NUL-padded
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: 'ABC' }, // odd: space-padded
    { tag: tag(0x0020, 0x0032), vr: 'DS', value: ['-1.5', '2', '3.25'] },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: 2 },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: 3 },
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array(pixels.buffer) },
  ]);

  it('writes the preamble, the DICM prefix and a meta group whose length is exact', () => {
    expect(file.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(file.toString('latin1', 128, 132)).toBe('DICM');
    const [groupLengthTag, vr, length, valueOffset] = walk(file, 132, 132 + 12)[0];
    expect([groupLengthTag, vr, length]).toEqual([tag(0x0002, 0x0000), 'UL', 4]);
    const metaLength = file.readUInt32LE(valueOffset);
    const metaEnd = valueOffset + 4 + metaLength;
    const meta = walk(file, valueOffset + 4, metaEnd);
    expect(meta.map(([t]) => t >>> 16)).toEqual(meta.map(() => 0x0002));
    // The data set starts right after the meta group, in ascending tag order, every length even.
    const body = walk(file, metaEnd, file.length);
    const tags = body.map(([t]) => t);
    expect(tags).toEqual([...tags].sort((a, b) => a - b));
    for (const [, , length2] of [...meta, ...body]) expect(length2 % 2).toBe(0);
  });

  it('pads odd-length strings with a space, and UIDs with NUL', () => {
    const body = walk(file, 132 + 12 + file.readUInt32LE(140), file.length);
    const value = (t: number): Buffer => {
      const [, , length, offset] = body.find(([x]) => x === t)!;
      return file.subarray(offset, offset + length);
    };
    expect(value(tag(0x0020, 0x000d)).toString('latin1')).toBe('1.2.3\0');
    expect(value(tag(0x0010, 0x0020)).toString('latin1')).toBe('ABC ');
    expect(value(tag(0x0010, 0x0010)).toString('latin1')).toBe('SYNTH^PATIENT^0001');
  });

  it('is read back by dicom-parser without warnings', () => {
    const ds = dicomParser.parseDicom(new Uint8Array(file));
    expect(ds.warnings).toEqual([]);
    expect(ds.string('x00020010')).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
    expect(ds.string('x00020002')).toBe(MR_IMAGE_STORAGE);
    expect(ds.string('x00020003')).toBe(SOP_UID);
    expect(ds.string('x00100010')).toBe('SYNTH^PATIENT^0001');
    expect(ds.string('x00100020')).toBe('ABC');
    expect(ds.string('x0020000d')).toBe('1.2.3');
    expect([0, 1, 2].map((i) => ds.floatString('x00200032', i))).toEqual([-1.5, 2, 3.25]);
    expect(ds.uint16('x00280010')).toBe(2);
    const element = ds.elements.x7fe00010;
    expect(element.length).toBe(12);
    const read = new Uint16Array(file.buffer.slice(file.byteOffset + element.dataOffset, file.byteOffset + element.dataOffset + 12));
    expect([...read]).toEqual([...pixels]);
  });

  it('refuses what would make an invalid file', () => {
    expect(() => encode([{ tag: tag(0x0020, 0x000d), vr: 'UI', value: '1.02.3' }])).toThrow(/invalid UID/);
    expect(() => encode([{ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'X'.repeat(17) }])).toThrow(/too long/);
    expect(() => encode([{ tag: tag(0x0008, 0x103e), vr: 'LO', value: 'a\\b' }])).toThrow(/separator/);
    expect(() =>
      encode([
        { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
        { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'CT' },
      ]),
    ).toThrow(/duplicate/);
    expect(() => encode([{ tag: tag(0x0002, 0x0013), vr: 'SH', value: 'X' }])).toThrow(/meta/);
  });

  it('formats decimal strings in at most 16 characters and round-trips them', () => {
    for (const n of [0, -0, 1, -0.0000012345678901, 123.45678901234, -98765.4321098765, 0.1 + 0.2, 1e-20, 1234567890123456, 2 ** 60]) {
      const s = formatDecimalString(n);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(s).toMatch(/^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/);
      expect(Math.abs(Number(s) - n)).toBeLessThanOrEqual(Math.abs(n) * 1e-8);
      expect(roundToDecimalString(n)).toBe(Number(s));
    }
    expect(formatDecimalString(-0)).toBe('0');
  });

  it('validates UID syntax', () => {
    expect(isValidUid('2.25.329800735698586629295641978511506172918')).toBe(true);
    expect(isValidUid('1.2.840.10008.5.1.4.1.1.4')).toBe(true);
    expect(isValidUid('1.2.840.10008.05')).toBe(false);
    expect(isValidUid('1..2')).toBe(false);
    expect(isValidUid(`1.${'2'.repeat(63)}`)).toBe(false);
  });
});
