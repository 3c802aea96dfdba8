// An import: folder -> parsed files (all cores) -> studies, series, instances, labels, coordinates (bulk, idempotent).
// One bad file never sinks the batch: it is reported with its path and reason, and the rest imports.
// Nothing outside the import folder is read (confined-files.ts), and failures name files relative to it, with
// folder names that are not identifiers pseudonymised (display-path.ts).
import { realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { StorageRoot } from '../../config/storage-roots.js';
import type { Database } from '../../db/client.js';
import { orderIntoStacks, type DicomStrata } from '../../dicom/index.js';
import type { SliceGeometry } from '../../domain/image.js';
import {
  upsertCoordinates,
  upsertInstances,
  upsertLabels,
  upsertSeries,
  upsertStudies,
  refreshSeriesStats,
  refreshStudySliceThickness,
  type InstanceInsert,
} from './import-writer.js';
import { listConfinedFiles, type ListedFile, type RefusedEntry } from './confined-files.js';
import { displayPath } from './display-path.js';
import { readCoordinates, readLabels, readSeriesDescriptions } from './labels.js';
import { detectLayout, type ImportLayout } from './layout.js';
import { parseFiles } from './parse-pool.js';
import type { FileFailure, ParsedFile } from './parsed-file.js';
import { inferSeriesType, orientationOf } from './series-type.js';
import { pseudonymousUid } from './pseudonym.js';
import { geometryOf } from '../instance-geometry.js';
import { DEFAULT_DESCRIPTION_WORDS, descriptionAllowList, keptDescription } from './series-description.js';
import { listRegisteredRoots, registerStorageRoot } from '../storage/registered-roots.js';
import { storagePathOf, storageUriOf, storageUrisOf } from '../storage/storage-uri.js';

export interface ImportOptions {
  readonly root: string;
  readonly projectId: string;
  readonly secret: string;
  readonly signal?: AbortSignal;
  readonly threads?: number;
  /** Words a SeriesDescription may consist of to be stored (SERIES_DESCRIPTION_WORDS); others are dropped. */
  readonly descriptionWords?: readonly string[];
  /** stage and fraction 0..1 */
  readonly onProgress?: (stage: string, fraction: number, message: string) => void;
}

export interface ImportResult {
  readonly layout: ImportLayout['kind'];
  readonly files: number;
  readonly skippedKnownFiles: number;
  readonly bytes: number;
  readonly studies: { readonly added: number; readonly total: number };
  readonly series: { readonly added: number; readonly total: number };
  readonly instances: { readonly added: number; readonly total: number };
  readonly labels: number;
  readonly coordinates: number;
  readonly failures: readonly FileFailure[];
  readonly durationMs: number;
}

/** Instance rows per INSERT: large enough to amortise the round trip, small enough for one statement's parameters. */
const INSTANCE_BATCH = 5_000;

interface SeriesGroup {
  readonly studyExternalId: string;
  readonly seriesExternalId: string;
  readonly files: ParsedFile[];
}

/** A parsed file with the path it was found under (which names its study and series in the RSNA layout). */
interface FoundFile {
  readonly file: ParsedFile;
  readonly foundAt: string;
}

export async function importStudies(db: Database, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  // The boundary of every read: the folder's real path (the API has already confined it to DATA_ROOTS).
  const root = await realpath(options.root);
  const shown = (path: string): string => displayPath(root, path, options.secret);
  const layout = await detectLayout(root);
  const failures: FileFailure[] = [];
  const refuse = (refused: readonly RefusedEntry[]): void => {
    for (const r of refused) failures.push({ path: shown(r.path), code: r.code, reason: r.reason });
  };
  refuse(layout.refused);
  const imageRoots = layout.kind === 'rsna' ? layout.imageDirs : [layout.root];
  const allFiles: ListedFile[] = [];
  for (const dir of imageRoots) {
    const listed = await listConfinedFiles(root, dir);
    refuse(listed.refused);
    allFiles.push(...listed.files.filter((f) => layout.kind === 'plain' || f.path.endsWith('.dcm')));
  }

  // Files already stored for this project are not parsed again: re-imports cost a directory walk.
  const known = new Set(
    (
      await db.sql.query<{ storageUri: string }>(
        `SELECT i."storageUri" FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId" JOIN "Study" s ON s.id = se."studyId" WHERE s."projectId" = $1::uuid`,
        [options.projectId],
      )
    ).map((r) => r.storageUri),
  );
  // A file counts as known under any root holding it, and under the absolute file:// URL of rows not yet relocated.
  const registered = await listRegisteredRoots(db);
  const files = allFiles.filter((f) => !storageUrisOf(f.realPath, registered).some((uri) => known.has(uri)));
  progress('parse', 0, `${files.length} new file(s) of ${allFiles.length}`);
  const outcomes = await parseFiles(
    files.map((f) => ({ realPath: f.realPath, shownPath: shown(f.path) })),
    {
      secret: options.secret,
      boundary: root,
      threads: options.threads,
      signal: options.signal,
      onProgress: (done, total) => progress('parse', (0.8 * done) / Math.max(1, total), `parsed ${done} of ${total} files`),
    },
  );
  const parsed: FoundFile[] = [];
  outcomes.forEach((o, i) => {
    if (o.ok) parsed.push({ file: o.file, foundAt: files[i].path });
    else failures.push(o.failure);
  });

  options.signal?.throwIfAborted();
  progress('write', 0.8, 'writing studies, series and instances');
  const groups = groupSeries(layout, parsed, options.secret);
  // A folder under no configured or registered root becomes a registered root (random name), so that its files are
  // stored relative to it and its absolute path is kept in the StorageRoot table alone.
  if (parsed.some((p) => storageUriOf(p.file.path, registered).startsWith('file:')))
    registered.unshift(await registerStorageRoot(db, root));
  const shownUri = (uri: string): string => shownStored(shown, uri, registered);
  const descriptions =
    layout.kind === 'rsna' ? await readSeriesDescriptions(root, layout.seriesDescriptionsCsv) : new Map<string, string>();
  const allowedWords = descriptionAllowList(options.descriptionWords ?? DEFAULT_DESCRIPTION_WORDS);

  const studyInfo = new Map<string, { patientKey: string | null; studyUid: string; strata: DicomStrata }>();
  for (const g of groups)
    if (!studyInfo.has(g.studyExternalId))
      studyInfo.set(g.studyExternalId, { patientKey: g.files[0].patientKey, studyUid: g.files[0].studyUid, strata: g.files[0].strata });
  const studies = await upsertStudies(
    db.sql,
    options.projectId,
    [...studyInfo].map(([externalId, s]) => ({ externalId, patientKey: s.patientKey, studyUidHash: s.studyUid, strata: s.strata })),
  );

  const series = await upsertSeries(
    db.sql,
    groups.map((g) => {
      const first = g.files[0];
      const csvDescription = descriptions.get(`${g.studyExternalId}/${g.seriesExternalId}`);
      return {
        studyId: studies.ids.get(g.studyExternalId) as string,
        externalId: g.seriesExternalId,
        seriesUidHash: first.seriesUid,
        type: inferSeriesType(csvDescription, first),
        description: keptDescription(csvDescription ?? first.seriesDescription, allowedWords),
      };
    }),
  );

  const seriesIdOf = (g: SeriesGroup): string => series.ids.get(`${studies.ids.get(g.studyExternalId)}/${g.seriesExternalId}`) as string;
  // One read of the stored instances of every touched series, and the instance writes in batches: no query per series.
  const stored = await storedInstances(db, groups.map(seriesIdOf));
  const touched: string[] = [];
  const pending: InstanceInsert[] = [];
  const stats = new Map<
    string,
    { orientation: string | null; sliceThickness: number | null; spacingBetweenSlices: number | null; stackCount: number }
  >();
  for (const g of groups) {
    options.signal?.throwIfAborted();
    const seriesId = seriesIdOf(g);
    const { bases, duplicates } = uniqueInstances(shownUri, [
      ...(stored.get(seriesId) ?? []),
      ...g.files.map((f) => baseOf(seriesId, f, storageUriOf(f.path, registered))),
    ]);
    failures.push(...duplicates);
    const { rows, stackCount } = instanceRows(bases);
    pending.push(...rows);
    touched.push(seriesId);
    const first = g.files[0];
    stats.set(seriesId, {
      orientation: orientationOf(first),
      sliceThickness: first.sliceThickness,
      spacingBetweenSlices: first.spacingBetweenSlices,
      stackCount,
    });
  }
  let instancesAdded = 0;
  for (let at = 0; at < pending.length; at += INSTANCE_BATCH) {
    options.signal?.throwIfAborted();
    instancesAdded += await upsertInstances(db.sql, pending.slice(at, at + INSTANCE_BATCH));
  }
  await refreshSeriesStats(db.sql, touched, stats);
  await refreshStudySliceThickness(db.sql, [...studies.ids.values()]);

  let labels = 0;
  let coordinates = 0;
  if (layout.kind === 'rsna') {
    progress('labels', 0.95, 'labels and coordinates');
    const allStudies = new Map(
      (
        await db.sql.query<{ id: string; externalId: string }>(`SELECT id, "externalId" FROM "Study" WHERE "projectId" = $1::uuid`, [
          options.projectId,
        ])
      ).map((r) => [r.externalId, r.id]),
    );
    if (layout.labelsCsv) {
      const read = await readLabels(root, layout.labelsCsv);
      failures.push(...read.failures);
      labels = await upsertLabels(db.sql, allStudies, read.rows);
    }
    if (layout.coordinatesCsv) {
      const read = await readCoordinates(root, layout.coordinatesCsv);
      failures.push(...read.failures);
      const allSeries = new Map(
        (
          await db.sql.query<{ id: string; studyId: string; externalId: string }>(
            `SELECT se.id, se."studyId", se."externalId" FROM "Series" se JOIN "Study" s ON s.id = se."studyId" WHERE s."projectId" = $1::uuid`,
            [options.projectId],
          )
        ).map((r) => [`${r.studyId}/${r.externalId}`, r.id]),
      );
      coordinates = await upsertCoordinates(db.sql, allStudies, allSeries, read.rows);
    }
  }
  const [totals] = await db.sql.query<{ studies: number; series: number; instances: number }>(
    `SELECT (SELECT count(*)::int FROM "Study" WHERE "projectId" = $1::uuid) AS studies,
            (SELECT count(*)::int FROM "Series" se JOIN "Study" s ON s.id = se."studyId" WHERE s."projectId" = $1::uuid) AS series,
            (SELECT count(*)::int FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId" JOIN "Study" s ON s.id = se."studyId" WHERE s."projectId" = $1::uuid) AS instances`,
    [options.projectId],
  );
  progress('done', 1, 'import finished');
  return {
    layout: layout.kind,
    files: allFiles.length,
    skippedKnownFiles: allFiles.length - files.length,
    bytes: parsed.reduce((n, f) => n + f.file.sizeBytes, 0),
    studies: { added: studies.added, total: totals.studies },
    series: { added: series.added, total: totals.series },
    instances: { added: instancesAdded, total: totals.instances },
    labels,
    coordinates,
    failures,
    durationMs: Math.round(performance.now() - started),
  };
}

/** RSNA: study and series ids are the folder names. Plain: grouped by (pseudonymised) Study/Series UIDs. */
function groupSeries(layout: ImportLayout, found: readonly FoundFile[], secret: string): SeriesGroup[] {
  const groups = new Map<string, SeriesGroup>();
  for (const { file: f, foundAt } of found) {
    let study: string;
    let seriesId: string;
    if (layout.kind === 'rsna') {
      const parts = relative(layout.root, foundAt).split(sep);
      // {x}_images/{study}/{series}/{n}.dcm
      study = parts[1] ?? 'unknown';
      seriesId = parts[2] ?? 'unknown';
    } else {
      // A short pseudonym: readable in tables, derived from the (already pseudonymised) UID, never the original.
      study = `S${pseudonymousUid(secret, f.studyUid).slice(5, 17)}`;
      seriesId = f.seriesNumber !== null ? `${f.seriesNumber}` : `X${pseudonymousUid(secret, f.seriesUid).slice(5, 15)}`;
    }
    const key = `${study}/${seriesId}`;
    const group = groups.get(key) ?? { studyExternalId: study, seriesExternalId: seriesId, files: [] };
    group.files.push(f);
    groups.set(key, group);
  }
  return [...groups.values()];
}

type InstanceBase = Omit<InstanceInsert, 'stackIndex' | 'sliceIndex' | 'slicePosition'>;

/** Orders a series' instances (new files and those already stored) into stacks along their normals. */
function instanceRows(bases: readonly InstanceBase[]): { rows: InstanceInsert[]; stackCount: number } {
  const withGeometry: { base: InstanceBase; geometry: SliceGeometry; spacingBetweenSlices: undefined }[] = [];
  const without: InstanceBase[] = [];
  for (const base of bases) {
    const geometry = geometryOf(base);
    if (geometry) withGeometry.push({ base, geometry, spacingBetweenSlices: undefined });
    else without.push(base);
  }
  const rows: InstanceInsert[] = [];
  const stacks = orderIntoStacks(withGeometry);
  stacks.forEach((stack, stackIndex) =>
    stack.items.forEach((item, sliceIndex) =>
      rows.push({ ...item.base, stackIndex, sliceIndex, slicePosition: stack.positionsMm[sliceIndex] }),
    ),
  );
  // Without geometry there is no normal to order along: instance number, then file order.
  [...without]
    .sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0))
    .forEach((base, i) => rows.push({ ...base, stackIndex: stacks.length, sliceIndex: i, slicePosition: 0 }));
  return { rows, stackCount: Math.max(1, stacks.length + (without.length ? 1 : 0)) };
}

/** One row per SOP Instance UID in a series: the first seen (stored rows come first) wins; the rest are reported. */
function uniqueInstances(
  shownUri: (uri: string) => string,
  all: readonly InstanceBase[],
): { bases: InstanceBase[]; duplicates: FileFailure[] } {
  const seen = new Map<string, InstanceBase>();
  const duplicates: FileFailure[] = [];
  for (const b of all) {
    const first = seen.get(b.sopInstanceUid);
    if (!first) seen.set(b.sopInstanceUid, b);
    else
      duplicates.push({
        path: shownUri(b.storageUri),
        code: 'CONFLICT',
        reason: `same SOP Instance UID as ${shownUri(first.storageUri)}; not imported twice`,
      });
  }
  return { bases: [...seen.values()], duplicates };
}

/** A stored instance's file as failures show it; one whose root is no longer known by its URI alone. */
function shownStored(shown: (path: string) => string, uri: string, registered: readonly StorageRoot[]): string {
  try {
    return shown(storagePathOf(uri, registered));
  } catch {
    return uri.startsWith('root://') ? uri.split('/').slice(0, 3).join('/') : 'a stored file';
  }
}

function baseOf(seriesId: string, f: ParsedFile, storageUri: string): InstanceBase {
  return {
    seriesId,
    sopInstanceUid: f.sopInstanceUid,
    instanceNumber: f.instanceNumber,
    storageUri,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
    transferSyntaxUid: f.transferSyntaxUid,
    rows: f.rows,
    columns: f.columns,
    numberOfFrames: f.numberOfFrames,
    imagePositionPatient: f.imagePositionPatient ?? [],
    imageOrientationPatient: f.imageOrientationPatient ?? [],
    pixelSpacing: f.pixelSpacing ?? [],
  };
}

/** The instances already stored in the given series, by series id: one query. */
async function storedInstances(db: Database, seriesIds: readonly string[]): Promise<Map<string, InstanceBase[]>> {
  const rows = await db.sql.query<InstanceBase & Record<string, unknown>>(
    `SELECT "seriesId", "sopInstanceUid", "instanceNumber", "storageUri", "sizeBytes", sha256, "transferSyntaxUid", rows, columns, "numberOfFrames",
            "imagePositionPatient", "imageOrientationPatient", "pixelSpacing" FROM "Instance" WHERE "seriesId" = ANY($1::uuid[])`,
    [[...new Set(seriesIds)]],
  );
  const bySeries = new Map<string, InstanceBase[]>();
  for (const r of rows) {
    const list = bySeries.get(r.seriesId) ?? [];
    list.push(r);
    bySeries.set(r.seriesId, list);
  }
  return bySeries;
}
