// The training metrics of a model-set directory that carries its trainer's summary (`training-summary.json`, as
// the bundled demo set does): read at registration, so a set registered from files shows its cross-validated
// metric like a set trained here. The file is either one run summary ({ cv, ... }) or one per training stage
// ({ <stage>: { cv, ... } }, the demo build trains keypoints and classifiers separately); both become the shape
// training.service records: { cv: { keypoints, classifiers }, trainingDataHash, source }.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Prisma } from '../db/generated/client.js';

export const TRAINING_SUMMARY_FILE = 'training-summary.json';

interface RunSummary {
  readonly cv?: { readonly keypoints?: Record<string, unknown>; readonly classifiers?: Record<string, unknown> };
  readonly trainingDataHash?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Undefined when the directory has no summary or it names no cross-validation. Throws on a file that is not JSON. */
export async function trainingSummaryMetrics(dir: string): Promise<Prisma.InputJsonValue | undefined> {
  const path = join(dir, TRAINING_SUMMARY_FILE);
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!isObject(parsed)) return undefined;
  const runs: RunSummary[] = isObject(parsed.cv) ? [parsed as RunSummary] : Object.values(parsed).filter(isObject);
  const keypoints: Record<string, unknown> = {};
  let classifiers: Record<string, unknown> | undefined;
  const hashes = new Set<string>();
  for (const run of runs) {
    if (!isObject(run.cv)) continue;
    if (isObject(run.cv.keypoints)) Object.assign(keypoints, run.cv.keypoints);
    if (isObject(run.cv.classifiers) && Object.keys(run.cv.classifiers).some((k) => k !== 'roles')) classifiers = run.cv.classifiers;
    if (typeof run.trainingDataHash === 'string') hashes.add(run.trainingDataHash);
  }
  if (!classifiers && Object.keys(keypoints).length === 0) return undefined;
  return {
    cv: { keypoints, classifiers: classifiers ?? null },
    trainingDataHash: hashes.size === 1 ? ([...hashes][0] ?? null) : null,
    source: TRAINING_SUMMARY_FILE,
  } as Prisma.InputJsonValue;
}
