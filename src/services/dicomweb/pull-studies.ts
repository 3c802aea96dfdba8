// A pull: studies from a DICOMweb source -> instances fetched over WADO-RS (only those not already on disk) ->
// the same import as a folder (pseudonymisation, per-file failures, idempotent writes). Files are written under
// a temporary name outside the import folder and renamed into place once complete, so an interrupted pull leaves
// only whole files behind, and the next pull of the same studies fetches just what is missing.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.js';
import type { DicomwebSource } from '../../config/dicomweb-sources.js';
import { DicomwebClient } from '../../dicomweb/client.js';
import { listStudyInstances, type InstanceRef } from '../../dicomweb/qido.js';
import { retrieveInstance } from '../../dicomweb/retrieve-instance.js';
import { importStudies, type ImportResult } from '../import/import-studies.js';
import type { FileFailure } from '../import/parsed-file.js';
import { pseudonymousUid } from '../import/pseudonym.js';
import { storeOriginalUids, type OriginalUid } from './linkage-store.js';

export interface PullOptions {
  readonly source: DicomwebSource;
  readonly projectId: string;
  /** Original Study Instance UIDs, as the source knows them. */
  readonly studyInstanceUids: readonly string[];
  readonly secret: string;
  readonly cacheDir: string;
  /** Set when the source has linkage on: original UIDs are kept, sealed, for the SR export. */
  readonly linkageKey?: string;
  /** As for a folder import (SERIES_DESCRIPTION_WORDS). */
  readonly descriptionWords?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (stage: string, fraction: number, message: string) => void;
}

export interface PullSummary {
  readonly source: string;
  readonly studies: number;
  readonly instances: {
    readonly listed: number;
    readonly alreadyPresent: number;
    readonly fetched: number;
    readonly failed: number;
  };
  readonly bytesFetched: number;
  /** How many fetched instances arrived in each transfer syntax. */
  readonly transferSyntaxes: Readonly<Record<string, number>>;
  readonly linkedUids: number;
}

export type PullResult = ImportResult & { readonly pull: PullSummary };

/** The share of the progress bar the downloads take; the import of the fetched files takes the rest. */
const FETCH_SHARE = 0.85;

/** The folder a project's pulls from a source land in (the import root). */
export function pullRoot(cacheDir: string, projectId: string, source: string): string {
  return join(cacheDir, projectId, source);
}

export async function pullStudies(db: Database, options: PullOptions): Promise<PullResult> {
  const progress = options.onProgress ?? (() => undefined);
  const { source, secret } = options;
  const client = new DicomwebClient(source);
  const root = pullRoot(options.cacheDir, options.projectId, source.name);
  // Outside the import root: a half-written file is never seen by an import.
  const partial = join(options.cacheDir, '.partial', randomUUID());
  const failures: FileFailure[] = [];
  const fetchedSyntaxes: Record<string, number> = {};
  let bytesFetched = 0;

  progress('list', 0, `listing the instances of ${options.studyInstanceUids.length} study(ies)`);
  const refs: InstanceRef[] = [];
  for (const uid of options.studyInstanceUids) {
    options.signal?.throwIfAborted();
    const listed = await listStudyInstances(client, uid, options.signal);
    if (listed.length === 0)
      failures.push({
        path: `${source.name}/${pseudonymousUid(secret, uid)}`,
        code: 'NOT_FOUND',
        reason: 'the source has no instance of this study',
      });
    refs.push(...listed);
  }
  const target = (r: InstanceRef): string =>
    join(
      root,
      pseudonymousUid(secret, r.studyInstanceUid),
      pseudonymousUid(secret, r.seriesInstanceUid),
      `${pseudonymousUid(secret, r.sopInstanceUid)}.dcm`,
    );
  const present = await Promise.all(refs.map((r) => exists(target(r))));
  const missing = refs.filter((_, i) => !present[i]);
  const alreadyPresent = refs.length - missing.length;

  await mkdir(partial, { recursive: true });
  let done = 0;
  let fetched = 0;
  let failed = 0;
  const report = (): void =>
    progress(
      'fetch',
      (FETCH_SHARE * (alreadyPresent + done)) / Math.max(1, refs.length),
      `${alreadyPresent + done} of ${refs.length} instances on disk (${fetched} fetched now)`,
    );
  report();
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        options.signal?.throwIfAborted();
        const ref = missing[next++];
        const outcome = await retrieveInstance(client, ref, join(partial, randomUUID()), options.signal);
        const finalPath = target(ref);
        if (outcome.ok) {
          await mkdir(join(finalPath, '..'), { recursive: true });
          await rename(outcome.path, finalPath);
          fetched++;
          bytesFetched += outcome.bytes;
          fetchedSyntaxes[outcome.transferSyntaxUid] = (fetchedSyntaxes[outcome.transferSyntaxUid] ?? 0) + 1;
        } else {
          failed++;
          failures.push({ path: relativeName(source.name, root, finalPath), code: outcome.code, reason: outcome.reason });
        }
        done++;
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.min(source.concurrency, Math.max(1, missing.length)) }, worker));
  } finally {
    await rm(partial, { recursive: true, force: true });
  }

  options.signal?.throwIfAborted();
  await mkdir(root, { recursive: true });
  const imported = await importStudies(db, {
    root,
    projectId: options.projectId,
    secret,
    ...(options.descriptionWords ? { descriptionWords: options.descriptionWords } : {}),
    signal: options.signal,
    onProgress: (stage, fraction, message) => progress(`import:${stage}`, FETCH_SHARE + (1 - FETCH_SHARE) * fraction, message),
  });

  let linkedUids = 0;
  if (source.linkage && options.linkageKey) {
    const fetchedOrPresent = new Set(failures.map((f) => f.path));
    const kept = refs.filter((r) => !fetchedOrPresent.has(relativeName(source.name, root, target(r))));
    linkedUids = await storeOriginalUids(db, options.linkageKey, options.projectId, source.name, originalUidsOf(kept, secret));
  }

  return {
    ...imported,
    failures: [...failures, ...imported.failures.map((f) => ({ ...f, path: `${source.name}/${f.path}` }))],
    pull: {
      source: source.name,
      studies: options.studyInstanceUids.length,
      instances: { listed: refs.length, alreadyPresent, fetched, failed },
      bytesFetched,
      transferSyntaxes: fetchedSyntaxes,
      linkedUids,
    },
  };
}

function originalUidsOf(refs: readonly InstanceRef[], secret: string): OriginalUid[] {
  const out = new Map<string, OriginalUid>();
  const add = (originalUid: string, level: OriginalUid['level']): void => {
    const pseudonym = pseudonymousUid(secret, originalUid);
    if (!out.has(pseudonym)) out.set(pseudonym, { pseudonymousUid: pseudonym, originalUid, level });
  };
  for (const r of refs) {
    add(r.studyInstanceUid, 'STUDY');
    add(r.seriesInstanceUid, 'SERIES');
    add(r.sopInstanceUid, 'INSTANCE');
  }
  return [...out.values()];
}

/** Failures name files as `<source>/<pseudonymous study>/<series>/<instance>.dcm`: no server path, no original UID. */
function relativeName(source: string, root: string, path: string): string {
  return path.startsWith(`${root}/`) ? `${source}/${path.slice(root.length + 1)}` : path;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
}
