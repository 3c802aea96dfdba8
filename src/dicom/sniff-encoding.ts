// Files without a Part 10 header (or with one that omits the transfer syntax) still announce their encoding in the
// first data element. We accept the guess only when it is unambiguous: the first tag must be a plausible leading
// group and, for explicit VR, carry a real VR code; anything else is not treated as DICOM.

import { TS } from './transfer-syntax.js';

const VR_CODES = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
]);

/** A data set normally opens with group 0002 (meta), 0008 (identification) or, rarely, a later standard group. */
const isPlausibleLeadingGroup = (group: number): boolean => group % 2 === 0 && group >= 0x0002 && group <= 0x0028;

export type SniffedEncoding = typeof TS.IMPLICIT_LE | typeof TS.EXPLICIT_LE | typeof TS.EXPLICIT_BE;

/** Guesses the encoding of a data set starting at `offset`, or undefined when it does not look like one. */
export function sniffDataSetEncoding(bytes: Uint8Array, offset: number): SniffedEncoding | undefined {
  if (bytes.length - offset < 8) return undefined;
  const b = (i: number): number => bytes[offset + i];
  const groupLE = b(0) | (b(1) << 8);
  const groupBE = (b(0) << 8) | b(1);
  const vr = String.fromCharCode(b(4), b(5));
  if (VR_CODES.has(vr)) {
    if (isPlausibleLeadingGroup(groupLE)) return TS.EXPLICIT_LE;
    if (isPlausibleLeadingGroup(groupBE)) return TS.EXPLICIT_BE;
    return undefined;
  }
  if (!isPlausibleLeadingGroup(groupLE)) return undefined;
  const length = (b(4) | (b(5) << 8) | (b(6) << 16) | (b(7) << 24)) >>> 0;
  const undefinedLength = length === 0xffffffff;
  return undefinedLength || length <= bytes.length - offset - 8 ? TS.IMPLICIT_LE : undefined;
}

/** True when the bytes at `offset` open a file meta group (0002,xxxx) in explicit VR little endian. */
export function startsWithMetaGroup(bytes: Uint8Array, offset: number): boolean {
  return (
    bytes.length - offset >= 8 &&
    bytes[offset] === 0x02 &&
    bytes[offset + 1] === 0x00 &&
    VR_CODES.has(String.fromCharCode(bytes[offset + 4], bytes[offset + 5]))
  );
}
