// Seeded mutations of a DICOM file, biased towards the pixel data (where the codecs are) but also hitting the header
// (lengths, VRs, pixel-module values). Same seed, same mutants: a failure is reproduced from its case number.

import dicomParser from 'dicom-parser';

/** mulberry32: small, fast, good enough to spread mutations. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Region {
  readonly start: number;
  readonly end: number;
}

/** Where the Pixel Data value (or its first fragment) lies, if the original file parses. */
export function pixelRegion(bytes: Uint8Array): Region | undefined {
  try {
    const element = dicomParser.parseDicom(bytes).elements.x7fe00010;
    if (!element) return undefined;
    const fragment = element.fragments?.[0];
    return fragment
      ? { start: fragment.position, end: fragment.position + fragment.length }
      : { start: element.dataOffset, end: element.dataOffset + element.length };
  } catch {
    return undefined; // deflated data sets: mutate anywhere
  }
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];

export interface Mutant {
  readonly bytes: Uint8Array;
  readonly description: string;
}

/** One mutant of `original`: 1-4 edits, each a bit flip, byte overwrite, insertion, deletion, or a cut. */
export function mutate(original: Uint8Array, region: Region | undefined, rnd: () => number): Mutant {
  let bytes = Uint8Array.from(original);
  const edits: string[] = [];
  const count = 1 + Math.floor(rnd() * 4);
  const int = (n: number): number => Math.floor(rnd() * n);
  for (let e = 0; e < count; e++) {
    // Two edits in three land in the pixel data (the first 256 bytes of it favoured: codec headers live there).
    const inPixels = region !== undefined && rnd() < 0.67 && region.end <= bytes.length;
    const at = inPixels
      ? region.start + (rnd() < 0.5 ? int(Math.min(256, region.end - region.start)) : int(region.end - region.start))
      : int(bytes.length);
    const op = int(6);
    if (op === 0) {
      bytes[at] ^= 1 << int(8);
      edits.push(`flip@${at}`);
    } else if (op === 1) {
      const n = 1 + int(8);
      for (let i = 0; i < n && at + i < bytes.length; i++) bytes[at + i] = int(256);
      edits.push(`overwrite${n}@${at}`);
    } else if (op === 2) {
      bytes[at] = INTERESTING[int(INTERESTING.length)];
      edits.push(`interesting@${at}`);
    } else if (op === 3) {
      const insert = Array.from({ length: 1 + int(2) }, () => int(256));
      const out = new Uint8Array(bytes.length + insert.length);
      out.set(bytes.subarray(0, at));
      out.set(insert, at);
      out.set(bytes.subarray(at), at + insert.length);
      bytes = out;
      edits.push(`insert${insert.length}@${at}`);
    } else if (op === 4) {
      const n = 1 + int(4);
      const end = Math.min(bytes.length, at + n);
      const out = new Uint8Array(bytes.length - (end - at));
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(end), at);
      bytes = out;
      edits.push(`delete${n}@${at}`);
    } else {
      bytes = bytes.slice(0, Math.max(0, at));
      edits.push(`cut@${at}`);
    }
  }
  return { bytes, description: edits.join(',') };
}
