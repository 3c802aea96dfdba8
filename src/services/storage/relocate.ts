// The data migration of Instance.storageUri from absolute `file://` URLs (written before data roots had names) to
// `root://<name>/<path>`, run by `spinegraph db migrate` and `spinegraph storage relocate`: a SQL migration cannot do
// it, since the configured roots are configuration. A row under a configured root is named by it; the others by a
// root registered for their folder (registered-roots.ts): the deepest folder holding every such file of their project,
// or of their study when that is the file system's root. Counts only come out: paths can name patients.
import { dirname, parse, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageRoot } from '../../config/storage-roots.js';
import type { Database } from '../../db/client.js';
import { listRegisteredRoots, registerStorageRoot } from './registered-roots.js';
import { storageUriOf } from './storage-uri.js';

export interface RelocateResult {
  /** Rows holding a `file://` URL before the run. */
  readonly absolute: number;
  /** Of those, rewritten relative to a configured root (DATA_ROOTS, DATA_DIR, ...). */
  readonly underConfiguredRoots: number;
  /** Of those, rewritten relative to a registered root. */
  readonly underRegisteredRoots: number;
  /** Roots this run registered. */
  readonly rootsRegistered: number;
}

type AbsoluteRow = {
  readonly id: string;
  readonly storageUri: string;
  readonly projectId: string;
  readonly studyId: string;
};

const BATCH = 5_000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Visits every row still holding a `file://` URL, in batches by id. */
async function forEachAbsoluteBatch(db: Database, visit: (rows: AbsoluteRow[]) => Promise<void> | void): Promise<void> {
  let afterId = NIL_UUID;
  for (;;) {
    const rows = await db.sql.query<AbsoluteRow>(
      `SELECT i.id, i."storageUri", s."projectId", s.id AS "studyId"
       FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId" JOIN "Study" s ON s.id = se."studyId"
       WHERE i."storageUri" LIKE 'file:%' AND i.id > $1::uuid ORDER BY i.id LIMIT ${BATCH}`,
      [afterId],
    );
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1].id;
    await visit(rows);
  }
}

/** The deepest folder holding both (absolute paths). */
function commonFolder(a: string, b: string): string {
  const x = a.split(sep);
  const y = b.split(sep);
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return x.slice(0, n).join(sep) || parse(a).root;
}

const isFileSystemRoot = (folder: string): boolean => parse(folder).root === folder;

/** Rewrites every `file://` storage URI into its `root://` form, registering roots where none holds a file; idempotent. */
export async function relocateStorageUris(db: Database): Promise<RelocateResult> {
  const configuredOnly: readonly StorageRoot[] = [];
  const registered = await listRegisteredRoots(db);
  // 1. The folders of the files no root holds yet, per project and per study.
  const byProject = new Map<string, string>();
  const byStudy = new Map<string, string>();
  let absolute = 0;
  await forEachAbsoluteBatch(db, (rows) => {
    absolute += rows.length;
    for (const r of rows) {
      const path = fileURLToPath(r.storageUri);
      if (!storageUriOf(path, registered).startsWith('file:')) continue;
      const folder = dirname(path);
      const p = byProject.get(r.projectId);
      byProject.set(r.projectId, p === undefined ? folder : commonFolder(p, folder));
      const s = byStudy.get(r.studyId);
      byStudy.set(r.studyId, s === undefined ? folder : commonFolder(s, folder));
    }
  });
  // 2. A root for each: the project's folder, else (it is the file system's root) the study's, else the file's own.
  const known = new Set(registered.map((r) => r.name));
  const rootFolders = new Set([...byProject.values()].filter((f) => !isFileSystemRoot(f)));
  for (const folder of rootFolders) registered.push(await registerStorageRoot(db, folder));
  const folderOf = (r: AbsoluteRow, path: string): string => {
    const study = byStudy.get(r.studyId);
    return study !== undefined && !isFileSystemRoot(study) ? study : dirname(path);
  };
  // 3. Every row rewritten (guarded by its old value: an import may relocate nothing meanwhile, but never twice).
  let underConfiguredRoots = 0;
  let underRegisteredRoots = 0;
  await forEachAbsoluteBatch(db, async (rows) => {
    const moved: { id: string; from: string; uri: string }[] = [];
    for (const r of rows) {
      const path = fileURLToPath(r.storageUri);
      const configuredUri = storageUriOf(path, configuredOnly);
      if (!configuredUri.startsWith('file:')) {
        underConfiguredRoots++;
        moved.push({ id: r.id, from: r.storageUri, uri: configuredUri });
        continue;
      }
      if (storageUriOf(path, registered).startsWith('file:')) registered.push(await registerStorageRoot(db, folderOf(r, path)));
      underRegisteredRoots++;
      moved.push({ id: r.id, from: r.storageUri, uri: storageUriOf(path, registered) });
    }
    if (moved.length === 0) return;
    await db.sql.query(
      `UPDATE "Instance" i SET "storageUri" = x.uri FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(id, "from", uri)
       WHERE i.id = x.id AND i."storageUri" = x."from"`,
      [moved.map((m) => m.id), moved.map((m) => m.from), moved.map((m) => m.uri)],
    );
  });
  return {
    absolute,
    underConfiguredRoots,
    underRegisteredRoots,
    rootsRegistered: new Set(registered.map((r) => r.name).filter((n) => !known.has(n))).size,
  };
}
