// A tiny DICOM writer for hand-made test files: explicit VR little/big endian or implicit VR little endian,
// with or without the Part 10 preamble and meta group. Only what the tests need; values are written as given.

export type ElementValue = string | { us: number[] } | { ss: number[] } | { ul: number[] } | { bytes: Uint8Array };
export type Element = readonly [tag: number, vr: string, value: ElementValue];

export type Encoding = 'explicit-le' | 'explicit-be' | 'implicit-le';

const TS_UID: Record<Encoding, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'explicit-be': '1.2.840.10008.1.2.2',
  'implicit-le': '1.2.840.10008.1.2',
};

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

class ByteWriter {
  private chunks: number[] = [];
  constructor(private readonly littleEndian: boolean) {}
  u8(...v: number[]): void {
    this.chunks.push(...v);
  }
  u16(v: number): void {
    if (this.littleEndian) this.u8(v & 0xff, (v >> 8) & 0xff);
    else this.u8((v >> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.u8(...(this.littleEndian ? b : b.reverse()));
  }
  /** Many bytes (a spread into u8 would exceed the argument limit for large values). */
  raw(values: Uint8Array): void {
    for (const v of values) this.chunks.push(v);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function valueBytes(vr: string, value: ElementValue, littleEndian: boolean): Uint8Array {
  const w = new ByteWriter(littleEndian);
  if (typeof value === 'string') {
    const padded = value.length % 2 ? value + (vr === 'UI' ? '\0' : ' ') : value;
    for (const ch of padded) w.u8(ch.charCodeAt(0));
  } else if ('us' in value) {
    value.us.forEach((v) => w.u16(v));
  } else if ('ss' in value) {
    value.ss.forEach((v) => w.u16(v & 0xffff));
  } else if ('ul' in value) {
    value.ul.forEach((v) => w.u32(v));
  } else {
    w.raw(value.bytes);
    if (value.bytes.length % 2) w.u8(0);
  }
  return w.bytes();
}

function writeElements(elements: readonly Element[], encoding: Encoding): Uint8Array {
  const littleEndian = encoding !== 'explicit-be';
  const w = new ByteWriter(littleEndian);
  for (const [tag, vr, value] of [...elements].sort((a, b) => a[0] - b[0])) {
    const data = valueBytes(vr, value, littleEndian);
    w.u16(tag >>> 16);
    w.u16(tag & 0xffff);
    if (encoding === 'implicit-le') {
      w.u32(data.length);
    } else {
      w.u8(vr.charCodeAt(0), vr.charCodeAt(1));
      if (LONG_VRS.has(vr)) {
        w.u16(0);
        w.u32(data.length);
      } else {
        w.u16(data.length);
      }
    }
    w.raw(data);
  }
  return w.bytes();
}

/** A Part 10 file (or, with `part10: false`, a bare data set) holding `elements`. */
export function writeDicom(
  elements: readonly Element[],
  options: { encoding?: Encoding; part10?: boolean; transferSyntaxUid?: string } = {},
): Uint8Array {
  const encoding = options.encoding ?? 'explicit-le';
  const body = writeElements(elements, encoding);
  if (options.part10 === false) return body;
  const meta = writeElements(
    [
      [0x00020001, 'OB', { bytes: Uint8Array.of(0, 1) }],
      [0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.4'],
      [0x00020003, 'UI', '1.2.3.4.5.6.7.8.9'],
      [0x00020010, 'UI', options.transferSyntaxUid ?? TS_UID[encoding]],
    ],
    'explicit-le',
  );
  const groupLength = writeElements([[0x00020000, 'UL', { ul: [meta.length] }]], 'explicit-le');
  const out = new Uint8Array(132 + groupLength.length + meta.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(groupLength, 132);
  out.set(meta, 132 + groupLength.length);
  out.set(body, 132 + groupLength.length + meta.length);
  return out;
}

/** Little-endian bytes of 16-bit samples (bit patterns, so negative numbers are fine). */
export function words(values: readonly number[], littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    const lo = v & 0xff;
    const hi = (v >> 8) & 0xff;
    out[2 * i] = littleEndian ? lo : hi;
    out[2 * i + 1] = littleEndian ? hi : lo;
  });
  return out;
}

/** The identification and pixel-module elements of a small MR image; add or override with `extra`. */
export function mrImage(options: {
  rows: number;
  columns: number;
  pixelData: Uint8Array;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  photometric?: string;
  extra?: Element[];
}): Element[] {
  const bitsAllocated = options.bitsAllocated ?? 16;
  const bitsStored = options.bitsStored ?? bitsAllocated;
  const base: Element[] = [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4'],
    [0x00080018, 'UI', '1.2.3.4.5.6.7.8.9'],
    [0x00080060, 'CS', 'MR'],
    [0x0020000d, 'UI', '1.2.3.4.100'],
    [0x0020000e, 'UI', '1.2.3.4.100.1'],
    [0x00280002, 'US', { us: [1] }],
    [0x00280004, 'CS', options.photometric ?? 'MONOCHROME2'],
    [0x00280010, 'US', { us: [options.rows] }],
    [0x00280011, 'US', { us: [options.columns] }],
    [0x00280100, 'US', { us: [bitsAllocated] }],
    [0x00280101, 'US', { us: [bitsStored] }],
    [0x00280102, 'US', { us: [options.highBit ?? bitsStored - 1] }],
    [0x00280103, 'US', { us: [options.pixelRepresentation ?? 0] }],
    [0x7fe00010, bitsAllocated > 8 ? 'OW' : 'OB', { bytes: options.pixelData }],
  ];
  const overridden = new Set((options.extra ?? []).map((e) => e[0]));
  return [...base.filter((e) => !overridden.has(e[0])), ...(options.extra ?? [])];
}
