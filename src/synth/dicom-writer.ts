// A small DICOM Part 10 writer: explicit VR little endian, uncompressed, elements given in any order.
// Enough for the single-frame MR images the synthetic dataset writes, and strict about what it accepts (value
// lengths, UID syntax, even lengths), so that a malformed file fails here rather than in a reader.

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
/** Our implementation class UID (2.25 form: a UUID-derived root needs no registration). */
export const IMPLEMENTATION_CLASS_UID = '2.25.229137045325861498311093838592460121731';
export const IMPLEMENTATION_VERSION_NAME = 'SPINEGRAPH_SYN1';

type StringVr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI';
type BinaryNumberVr = 'US' | 'UL' | 'SS' | 'SL' | 'FL' | 'FD';
type BytesVr = 'OB' | 'OW';

export type DicomElement =
  | { readonly tag: number; readonly vr: StringVr; readonly value: string | readonly string[] }
  | { readonly tag: number; readonly vr: BinaryNumberVr; readonly value: number | readonly number[] }
  | { readonly tag: number; readonly vr: BytesVr; readonly value: Uint8Array };

/** Builds a tag number from its group and element, e.g. tag(0x0020, 0x0013). */
export function tag(group: number, element: number): number {
  return ((group & 0xffff) << 16) | (element & 0xffff);
}

function tagLabel(t: number): string {
  return `(${((t >>> 16) & 0xffff).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`;
}

/** VRs whose explicit-VR header carries 2 reserved bytes and a 32-bit length. */
const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Longest value (per value of a multi-valued element) each string VR allows, in bytes. */
const MAX_VALUE_LENGTH: Readonly<Record<StringVr, number>> = {
  AE: 16,
  AS: 4,
  CS: 16,
  DA: 8,
  DS: 16,
  IS: 12,
  LO: 64,
  LT: 10240,
  PN: 324,
  SH: 16,
  ST: 1024,
  TM: 14,
  UI: 64,
};

const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** True when `uid` has valid DICOM UID syntax (digits and dots, no leading zeros, at most 64 characters). */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_PATTERN.test(uid);
}

/** The shortest decimal string of at most 16 characters for `n` (a DS value). */
export function formatDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`DS value must be finite, got ${n}`);
  if (Object.is(n, -0)) n = 0;
  for (let precision = 16; precision >= 1; precision--) {
    const plain = String(Number(n.toPrecision(precision)));
    if (plain.length <= 16) return plain;
    // Large magnitudes print all their integer digits; the exponent form is shorter.
    const exponent = n.toExponential(precision - 1).replace('e+', 'e');
    if (exponent.length <= 16) return exponent;
  }
  throw new RangeError(`cannot write ${n} as a DS value`);
}

/** `n` rounded to what formatDecimalString writes, so geometry used in memory equals geometry read back. */
export function roundToDecimalString(n: number): number {
  return Number(formatDecimalString(n));
}

/** An IS value: an integer of at most 12 characters. */
export function formatIntegerString(n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`IS value must be an integer, got ${n}`);
  return String(n);
}

function encodeString(el: { tag: number; vr: StringVr; value: string | readonly string[] }): Uint8Array {
  const values = typeof el.value === 'string' ? [el.value] : el.value;
  for (const v of values) {
    if (Buffer.byteLength(v, 'latin1') > MAX_VALUE_LENGTH[el.vr]) {
      throw new RangeError(`${tagLabel(el.tag)} ${el.vr} value too long: ${JSON.stringify(v)}`);
    }
    if (v.includes('\\') && el.vr !== 'LT' && el.vr !== 'ST') {
      throw new RangeError(`${tagLabel(el.tag)} ${el.vr} value contains the value separator: ${JSON.stringify(v)}`);
    }
    if (el.vr === 'UI' && !isValidUid(v)) throw new RangeError(`${tagLabel(el.tag)} invalid UID: ${JSON.stringify(v)}`);
  }
  let text = values.join('\\');
  // UI pads with NUL, every other string VR with a space (PS3.5 6.2).
  if (text.length % 2 === 1) text += el.vr === 'UI' ? '\0' : ' ';
  return Buffer.from(text, 'latin1');
}

function encodeNumbers(vr: BinaryNumberVr, value: number | readonly number[]): Uint8Array {
  const values = typeof value === 'number' ? [value] : value;
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
  const out = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    const at = i * size;
    if (vr === 'US') out.writeUInt16LE(v, at);
    else if (vr === 'SS') out.writeInt16LE(v, at);
    else if (vr === 'UL') out.writeUInt32LE(v, at);
    else if (vr === 'SL') out.writeInt32LE(v, at);
    else if (vr === 'FL') out.writeFloatLE(v, at);
    else out.writeDoubleLE(v, at);
  });
  return out;
}

function encodeValue(el: DicomElement): Uint8Array {
  switch (el.vr) {
    case 'US':
    case 'UL':
    case 'SS':
    case 'SL':
    case 'FL':
    case 'FD':
      return encodeNumbers(el.vr, el.value);
    case 'OB':
    case 'OW':
      if (el.vr === 'OW' && el.value.byteLength % 2 === 1) throw new RangeError(`${tagLabel(el.tag)} OW of odd length`);
      return el.value;
    // The text VRs, named so that a VR added to DicomElement fails the exhaustiveness lint instead of landing here.
    case 'AE':
    case 'AS':
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
      return encodeString(el);
  }
}

function headerLength(vr: string): number {
  return LONG_LENGTH_VRS.has(vr) ? 12 : 8;
}

interface EncodedElement {
  readonly tag: number;
  readonly vr: string;
  readonly value: Uint8Array;
  /** Value length after padding to even. */
  readonly length: number;
}

function encodeAll(elements: readonly DicomElement[]): EncodedElement[] {
  const sorted = [...elements].sort((x, y) => (x.tag >>> 0) - (y.tag >>> 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tag === sorted[i - 1].tag) throw new RangeError(`duplicate element ${tagLabel(sorted[i].tag)}`);
  }
  return sorted.map((el) => {
    const value = encodeValue(el);
    const length = value.byteLength + (value.byteLength % 2);
    if (!LONG_LENGTH_VRS.has(el.vr) && length > 0xffff) {
      throw new RangeError(`${tagLabel(el.tag)} ${el.vr} value longer than 65535 bytes`);
    }
    return { tag: el.tag, vr: el.vr, value, length };
  });
}

function encodedSize(elements: readonly EncodedElement[]): number {
  let size = 0;
  for (const e of elements) size += headerLength(e.vr) + e.length;
  return size;
}

function writeElements(out: Buffer, offset: number, elements: readonly EncodedElement[]): number {
  for (const e of elements) {
    out.writeUInt16LE((e.tag >>> 16) & 0xffff, offset);
    out.writeUInt16LE(e.tag & 0xffff, offset + 2);
    out.write(e.vr, offset + 4, 'latin1');
    if (LONG_LENGTH_VRS.has(e.vr)) {
      out.writeUInt16LE(0, offset + 6);
      out.writeUInt32LE(e.length, offset + 8);
      offset += 12;
    } else {
      out.writeUInt16LE(e.length, offset + 6);
      offset += 8;
    }
    out.set(e.value, offset);
    // The pad byte (NUL for binary and UI, space for text) is already in string values; binary values get NUL
    // from the zero-filled allocation.
    offset += e.length;
  }
  return offset;
}

export interface FileMetaInfo {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

/**
 * Encodes a complete Part 10 file: 128-byte preamble, "DICM", the file meta group (with its group length) and the
 * dataset, all explicit VR little endian. `dataset` must not contain group 0002 elements.
 */
export function encodeDicomFile(meta: FileMetaInfo, dataset: readonly DicomElement[]): Buffer {
  if (dataset.some((el) => el.tag >>> 16 === 0x0002)) throw new RangeError('file meta elements belong in `meta`');
  const metaElements = encodeAll([
    { tag: tag(0x0002, 0x0001), vr: 'OB', value: Uint8Array.of(0x00, 0x01) },
    { tag: tag(0x0002, 0x0002), vr: 'UI', value: meta.sopClassUid },
    { tag: tag(0x0002, 0x0003), vr: 'UI', value: meta.sopInstanceUid },
    { tag: tag(0x0002, 0x0010), vr: 'UI', value: EXPLICIT_VR_LITTLE_ENDIAN },
    { tag: tag(0x0002, 0x0012), vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
    { tag: tag(0x0002, 0x0013), vr: 'SH', value: IMPLEMENTATION_VERSION_NAME },
  ]);
  const metaLength = encodedSize(metaElements);
  const groupLength = encodeAll([{ tag: tag(0x0002, 0x0000), vr: 'UL', value: metaLength }]);
  const body = encodeAll(dataset);
  const total = 128 + 4 + encodedSize(groupLength) + metaLength + encodedSize(body);
  const out = Buffer.alloc(total);
  out.write('DICM', 128, 'latin1');
  let offset = writeElements(out, 132, groupLength);
  offset = writeElements(out, offset, metaElements);
  offset = writeElements(out, offset, body);
  if (offset !== total) throw new Error(`internal: wrote ${offset} of ${total} bytes`);
  return out;
}
