// A synthetic RSNA-layout cohort cached under the OS temp folder, keyed by what determines its content (seed, study
// count, image size), so that reruns of a benchmark measure ingestion rather than the generator.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../src/synth/index.js';

export interface SynthCohortSpec {
  readonly studies: number;
  readonly seed: number;
  /** Rows and columns of every image. */
  readonly size: number;
}

export interface SynthCohort extends SynthCohortSpec {
  readonly root: string;
  readonly files: number;
  readonly bytes: number;
  /** False when this call found the cohort already on disk. */
  readonly generated: boolean;
  readonly generateMs: number | null;
}

/** Written last: a folder without it is a half-written cohort (an interrupted run) and is regenerated. */
const MARKER = 'bench-cohort.json';

export function synthCohortDir(spec: SynthCohortSpec): string {
  return join(tmpdir(), 'spinegraph-bench', `synth-s${spec.seed}-n${spec.studies}-px${spec.size}`);
}

export async function ensureSynthCohort(spec: SynthCohortSpec, onProgress?: (done: number, total: number) => void): Promise<SynthCohort> {
  const root = synthCohortDir(spec);
  const marker = join(root, MARKER);
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, 'utf8')) as { files: number; bytes: number };
    return { ...spec, root, files: saved.files, bytes: saved.bytes, generated: false, generateMs: null };
  }
  await rm(root, { recursive: true, force: true });
  const summary = await generateDataset({ outDir: root, studies: spec.studies, seed: spec.seed, size: spec.size, onProgress });
  await writeFile(marker, JSON.stringify({ ...spec, files: summary.fileCount, bytes: summary.bytes }));
  return { ...spec, root, files: summary.fileCount, bytes: summary.bytes, generated: true, generateMs: summary.elapsedMs };
}
