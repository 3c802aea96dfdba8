// The File Meta Information of a DICOM Part 10 file (group 0002, always explicit VR little endian): enough to
// tell what arrived before the importer reads the file properly.
import { open } from 'node:fs/promises';

export interface Part10Meta {
  readonly transferSyntaxUid: string | null;
  readonly sopClassUid: string | null;
  readonly sopInstanceUid: string | null;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV', 'SV', 'UV']);

/** Null when the file is not Part 10 (no DICM magic). */
export async function readPart10Meta(path: string): Promise<Part10Meta | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return parsePart10Meta(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function parsePart10Meta(bytes: Buffer): Part10Meta | null {
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') return null;
  const values = new Map<number, string>();
  let at = 132;
  while (at + 8 <= bytes.length) {
    const group = bytes.readUInt16LE(at);
    if (group !== 0x0002) break;
    const element = bytes.readUInt16LE(at + 2);
    const vr = bytes.toString('latin1', at + 4, at + 6);
    let length: number;
    let valueAt: number;
    if (LONG_VRS.has(vr)) {
      if (at + 12 > bytes.length) break;
      length = bytes.readUInt32LE(at + 8);
      valueAt = at + 12;
    } else {
      length = bytes.readUInt16LE(at + 6);
      valueAt = at + 8;
    }
    if (valueAt + length > bytes.length) break;
    if (vr === 'UI') values.set(element, bytes.toString('latin1', valueAt, valueAt + length).replace(/[\0 ]+$/, ''));
    at = valueAt + length;
  }
  return {
    sopClassUid: values.get(0x0002) ?? null,
    sopInstanceUid: values.get(0x0003) ?? null,
    transferSyntaxUid: values.get(0x0010) ?? null,
  };
}
