// Benchmark helper for `npm run bench -- ingest`: decode throughput per transfer syntax on real sample files, and
// parse time against dcmjs on the same bytes in the same run. dcmjs is a devDependency, loaded only here.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeStoredFrame } from './decode.js';
import type { DicomInstance } from './instance.js';
import { parseDicom } from './parse.js';
import { transferSyntaxInfo } from './transfer-syntax.js';

export interface DecodeThroughput {
  readonly transferSyntaxUid: string;
  readonly name: string;
  readonly files: number;
  /** Frames decoded (each repeated `repeats` times in the timing). */
  readonly frames: number;
  readonly msPerFrame: number;
  readonly framesPerSecond: number;
  readonly megapixelsPerSecond: number;
}

export interface ParseComparison {
  readonly files: number;
  readonly bytes: number;
  readonly spinegraphMsPerFile: number;
  readonly dcmjsMsPerFile: number;
  /** dcmjs time / spinegraph time: above 1 means spinegraph parses faster. */
  readonly dcmjsOverSpinegraph: number;
  /** Files dcmjs could not parse, left out of both timings. */
  readonly skipped: readonly string[];
}

export interface DecodeBenchResult {
  readonly decode: readonly DecodeThroughput[];
  readonly parse: ParseComparison;
}

export interface DecodeBenchOptions {
  readonly files: readonly string[];
  /** Timed decodes of every frame (after one warm-up decode that also loads the codec). Default 5. */
  readonly decodeRepeats?: number;
  /** Timed parses of every file by each parser. Default 20. */
  readonly parseRepeats?: number;
}

/** Every file under a directory, recursively, except documentation. */
export function listBenchFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return listBenchFiles(path);
    return /\.(md|txt)$/i.test(e.name) || /^LICENSE/.test(e.name) ? [] : [path];
  });
}

export async function benchDecode(options: DecodeBenchOptions): Promise<DecodeBenchResult> {
  const decodeRepeats = options.decodeRepeats ?? 5;
  const parseRepeats = options.parseRepeats ?? 20;
  const loaded = options.files.map((path) => ({ path, bytes: readFileSync(path) }));

  const byTs = new Map<string, { files: number; frames: number; pixels: number; ms: number }>();
  for (const { path, bytes } of loaded) {
    const instance = tryParse(bytes, path);
    if (!instance?.hasPixelData) continue;
    const frames = instance.numberOfFrames;
    for (let f = 0; f < frames; f++) await decodeStoredFrame(instance, f); // warm-up: codec load, JIT
    const start = performance.now();
    for (let r = 0; r < decodeRepeats; r++) for (let f = 0; f < frames; f++) await decodeStoredFrame(instance, f);
    const ms = performance.now() - start;
    const row = byTs.get(instance.transferSyntaxUid) ?? { files: 0, frames: 0, pixels: 0, ms: 0 };
    row.files += 1;
    row.frames += frames;
    row.pixels += frames * (instance.rows ?? 0) * (instance.columns ?? 0) * decodeRepeats;
    row.ms += ms;
    byTs.set(instance.transferSyntaxUid, row);
  }
  const decode = [...byTs.entries()]
    .map(([uid, r]) => ({
      transferSyntaxUid: uid,
      name: transferSyntaxInfo(uid)?.name ?? uid,
      files: r.files,
      frames: r.frames,
      msPerFrame: r.ms / (r.frames * decodeRepeats),
      framesPerSecond: (r.frames * decodeRepeats * 1000) / r.ms,
      megapixelsPerSecond: r.pixels / 1e6 / (r.ms / 1000),
    }))
    .sort((a, b) => a.transferSyntaxUid.localeCompare(b.transferSyntaxUid, 'en', { numeric: true }));

  return { decode, parse: await compareParsers(loaded, parseRepeats) };
}

function tryParse(bytes: Uint8Array, path: string): DicomInstance | undefined {
  try {
    return parseDicom(bytes, path);
  } catch {
    return undefined;
  }
}

interface DcmjsModule {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): unknown } };
}

/** dcmjs reports every odd VR on the console; silence it while it parses, so the bench output stays readable. */
function quietly<T>(fn: () => T): T {
  /* eslint-disable no-console -- muting a third-party library's console output is the point here */
  const saved = { log: console.log, warn: console.warn, info: console.info };
  console.log = console.warn = console.info = () => undefined;
  /* eslint-enable no-console */
  try {
    return fn();
  } finally {
    Object.assign(console, saved);
  }
}

async function compareParsers(files: readonly { path: string; bytes: Buffer }[], repeats: number): Promise<ParseComparison> {
  const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;
  // Each parser gets the bytes in the form it takes: dcmjs an exact ArrayBuffer, spinegraph a Uint8Array view.
  const usable = files
    .map((f) => ({ ...f, arrayBuffer: f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer }))
    .filter((f) => tryParse(f.bytes, f.path) !== undefined);
  const skipped: string[] = [];
  const both = usable.filter((f) => {
    try {
      quietly(() => dcmjs.data.DicomMessage.readFile(f.arrayBuffer));
      return true;
    } catch {
      skipped.push(f.path);
      return false;
    }
  });
  const time = (parse: (f: (typeof both)[number]) => unknown): number => {
    const start = performance.now();
    for (let r = 0; r < repeats; r++) for (const f of both) parse(f);
    return (performance.now() - start) / (repeats * Math.max(1, both.length));
  };
  const spinegraphMsPerFile = time((f) => parseDicom(f.bytes, f.path));
  const dcmjsMsPerFile = quietly(() => time((f) => dcmjs.data.DicomMessage.readFile(f.arrayBuffer)));
  return {
    files: both.length,
    bytes: both.reduce((s, f) => s + f.bytes.byteLength, 0),
    spinegraphMsPerFile,
    dcmjsMsPerFile,
    dcmjsOverSpinegraph: dcmjsMsPerFile / spinegraphMsPerFile,
    skipped,
  };
}

/** Markdown tables for BENCHMARKS.md. */
export function formatDecodeBench(result: DecodeBenchResult): string {
  const lines = [
    '| transfer syntax | UID | files | frames | ms/frame | frames/s | Mpixel/s |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...result.decode.map(
      (r) =>
        `| ${r.name} | ${r.transferSyntaxUid} | ${r.files} | ${r.frames} | ${r.msPerFrame.toFixed(2)} | ${r.framesPerSecond.toFixed(0)} | ${r.megapixelsPerSecond.toFixed(1)} |`,
    ),
    '',
    '| parser | ms/file | files | MB |',
    '|---|---:|---:|---:|',
    `| spinegraph (dicom-parser) | ${result.parse.spinegraphMsPerFile.toFixed(3)} | ${result.parse.files} | ${(result.parse.bytes / 1e6).toFixed(1)} |`,
    `| dcmjs | ${result.parse.dcmjsMsPerFile.toFixed(3)} | ${result.parse.files} | ${(result.parse.bytes / 1e6).toFixed(1)} |`,
    '',
    `dcmjs / spinegraph parse time: ${result.parse.dcmjsOverSpinegraph.toFixed(2)}x${result.parse.skipped.length ? ` (dcmjs could not parse ${result.parse.skipped.length} file(s), left out of both)` : ''}`,
  ];
  return lines.join('\n');
}
