// A DICOM Part 10 writer for structured reports: explicit VR little endian, sequences with defined lengths,
// elements sorted by tag at every level. Strict about value lengths and UID syntax, so that a malformed SR fails
// here and not in a viewer.
import { formatDecimalString, IMPLEMENTATION_CLASS_UID, isValidUid } from '../../synth/dicom-writer.js';
import { SPINEGRAPH_VERSION } from '../../version.js';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

type StringVr = 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI' | 'UT' | 'LT';

export type SrElement =
  | { readonly tag: number; readonly vr: StringVr; readonly value: string | readonly string[] }
  | { readonly tag: number; readonly vr: 'FL' | 'FD'; readonly value: readonly number[] }
  | { readonly tag: number; readonly vr: 'US' | 'UL'; readonly value: number }
  | { readonly tag: number; readonly vr: 'OB'; readonly value: Uint8Array }
  | { readonly tag: number; readonly vr: 'SQ'; readonly items: readonly (readonly SrElement[])[] };

const MAX_LENGTH: Readonly<Record<StringVr, number>> = {
  CS: 16,
  DA: 8,
  DS: 16,
  IS: 12,
  LO: 64,
  PN: 324,
  SH: 16,
  ST: 1024,
  TM: 14,
  UI: 64,
  UT: 0xfffffffe,
  LT: 10240,
};
const LONG = new Set(['OB', 'SQ', 'UT']);

const label = (t: number): string => `(${(t >>> 16).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`;

export const ds = (n: number): string => formatDecimalString(n);

function encodeValue(el: SrElement): Buffer {
  switch (el.vr) {
    case 'SQ':
      return Buffer.concat(
        el.items.map((item) => {
          const body = encodeElements(item);
          const head = Buffer.alloc(8);
          head.writeUInt16LE(0xfffe, 0);
          head.writeUInt16LE(0xe000, 2);
          head.writeUInt32LE(body.length, 4);
          return Buffer.concat([head, body]);
        }),
      );
    case 'FL':
    case 'FD': {
      const size = el.vr === 'FL' ? 4 : 8;
      const out = Buffer.alloc(el.value.length * size);
      el.value.forEach((v, i) => (el.vr === 'FL' ? out.writeFloatLE(v, i * 4) : out.writeDoubleLE(v, i * 8)));
      return out;
    }
    case 'US':
    case 'UL': {
      const out = Buffer.alloc(el.vr === 'US' ? 2 : 4);
      if (el.vr === 'US') out.writeUInt16LE(el.value, 0);
      else out.writeUInt32LE(el.value, 0);
      return out;
    }
    case 'OB':
      return el.value.length % 2 ? Buffer.concat([Buffer.from(el.value), Buffer.alloc(1)]) : Buffer.from(el.value);
    // The text VRs, named so that a VR added to SrElement fails the exhaustiveness lint instead of landing here.
    case 'CS':
    case 'DA':
    case 'DS':
    case 'IS':
    case 'LO':
    case 'LT':
    case 'PN':
    case 'SH':
    case 'ST':
    case 'TM':
    case 'UI':
    case 'UT': {
      const values = typeof el.value === 'string' ? [el.value] : el.value;
      for (const v of values) {
        if (Buffer.byteLength(v, 'utf8') > MAX_LENGTH[el.vr]) throw new RangeError(`${label(el.tag)} ${el.vr} value too long: ${v}`);
        if (el.vr === 'UI' && !isValidUid(v)) throw new RangeError(`${label(el.tag)} invalid UID: ${v}`);
        if (el.vr !== 'UT' && el.vr !== 'LT' && v.includes('\\')) throw new RangeError(`${label(el.tag)} contains a backslash`);
      }
      let text = values.join('\\');
      if (Buffer.byteLength(text, 'utf8') % 2) text += el.vr === 'UI' ? '\0' : ' ';
      return Buffer.from(text, 'utf8');
    }
  }
}

function encodeElements(elements: readonly SrElement[]): Buffer {
  const sorted = [...elements].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].tag === sorted[i - 1].tag) throw new RangeError(`${label(sorted[i].tag)} appears twice`);
  return Buffer.concat(
    sorted.map((el) => {
      const value = encodeValue(el);
      const long = LONG.has(el.vr);
      const head = Buffer.alloc(long ? 12 : 8);
      head.writeUInt16LE(el.tag >>> 16, 0);
      head.writeUInt16LE(el.tag & 0xffff, 2);
      head.write(el.vr, 4, 'latin1');
      if (long) head.writeUInt32LE(value.length, 8);
      else {
        if (value.length > 0xffff) throw new RangeError(`${label(el.tag)} value longer than 65535 bytes`);
        head.writeUInt16LE(value.length, 6);
      }
      return Buffer.concat([head, value]);
    }),
  );
}

/** A complete Part 10 file: preamble, DICM, file meta information (group 0002), then the dataset. */
export function encodePart10(sopClassUid: string, sopInstanceUid: string, dataset: readonly SrElement[]): Buffer {
  const meta: SrElement[] = [
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: sopClassUid },
    { tag: 0x00020003, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00020010, vr: 'UI', value: EXPLICIT_VR_LITTLE_ENDIAN },
    { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
    { tag: 0x00020013, vr: 'SH', value: `SPINEGRAPH_${SPINEGRAPH_VERSION}`.slice(0, 16) },
  ];
  const metaBytes = encodeElements(meta);
  const groupLength = encodeElements([{ tag: 0x00020000, vr: 'UL', value: metaBytes.length }]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, metaBytes, encodeElements(dataset)]);
}
