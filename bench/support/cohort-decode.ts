// Parse + decode of every pixel frame of a set of files, in this thread, with the time of each step kept apart:
// what a consumer of the reader pays per image, beyond what the import (parse + hash + insert) already paid.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrame, parseDicom } from '../../src/dicom/index.js';

export interface CohortDecodeResult {
  readonly files: number;
  readonly frames: number;
  readonly bytes: number;
  readonly pixels: number;
  readonly readMs: number;
  readonly parseMs: number;
  readonly decodeMs: number;
  /** Transfer syntax UID -> files. */
  readonly transferSyntaxes: Record<string, number>;
  /** Files that failed to parse or decode, with the reason. */
  readonly failures: readonly { readonly path: string; readonly reason: string }[];
}

/** Every *.dcm file under a folder, sorted so runs visit them in the same order. */
export async function listDicomFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export async function decodeCohort(paths: readonly string[]): Promise<CohortDecodeResult> {
  let frames = 0;
  let bytes = 0;
  let pixels = 0;
  let readMs = 0;
  let parseMs = 0;
  let decodeMs = 0;
  const transferSyntaxes: Record<string, number> = {};
  const failures: { path: string; reason: string }[] = [];
  for (const path of paths) {
    const t0 = performance.now();
    const data = await readFile(path);
    const t1 = performance.now();
    readMs += t1 - t0;
    bytes += data.byteLength;
    try {
      const instance = parseDicom(data, path);
      const t2 = performance.now();
      parseMs += t2 - t1;
      for (let f = 0; f < instance.numberOfFrames; f++) {
        const frame = await decodeFrame(instance, f);
        pixels += frame.rows * frame.columns;
      }
      decodeMs += performance.now() - t2;
      frames += instance.numberOfFrames;
      transferSyntaxes[instance.transferSyntaxUid] = (transferSyntaxes[instance.transferSyntaxUid] ?? 0) + 1;
    } catch (e) {
      failures.push({ path, reason: (e as Error).message });
    }
  }
  return { files: paths.length, frames, bytes, pixels, readMs, parseMs, decodeMs, transferSyntaxes, failures };
}

/** `count` paths spread evenly over the list (every series represented, not the first few studies only). */
export function spreadSample<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}
