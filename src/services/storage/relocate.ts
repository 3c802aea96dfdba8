// The data migration of Instance.storageUri from absolute `file://` URLs (written before data roots had names) to
// `root://<name>/<path>`: a SQL migration cannot do it, since the roots are configuration. Rows under no configured
// root are left as they are and only counted (their paths are never logged: folder names can carry PHI).
import { fileURLToPath } from 'node:url';
import type { Database } from '../../db/client.js';
import { storageUriOf } from './storage-uri.js';

export interface RelocateResult {
  /** Rows still holding a `file://` URL before the run. */
  readonly absolute: number;
  readonly relocated: number;
  /** Left absolute: their files lie under no configured root. */
  readonly outsideRoots: number;
}

const BATCH = 5_000;

/** Rewrites every `file://` storage URI under a configured root (useStorageRoots) into its relative form; idempotent. */
export async function relocateStorageUris(db: Database): Promise<RelocateResult> {
  let absolute = 0;
  let relocated = 0;
  let afterId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.sql.query<{ id: string; storageUri: string }>(
      `SELECT id, "storageUri" FROM "Instance" WHERE "storageUri" LIKE 'file:%' AND id > $1::uuid ORDER BY id LIMIT ${BATCH}`,
      [afterId],
    );
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1].id;
    absolute += rows.length;
    const moved = rows.flatMap((r) => {
      const uri = storageUriOf(fileURLToPath(r.storageUri));
      return uri.startsWith('file:') ? [] : [{ id: r.id, uri }];
    });
    if (moved.length > 0) {
      await db.sql.query(
        `UPDATE "Instance" i SET "storageUri" = x.uri FROM unnest($1::uuid[], $2::text[]) AS x(id, uri) WHERE i.id = x.id`,
        [moved.map((m) => m.id), moved.map((m) => m.uri)],
      );
    }
    relocated += moved.length;
  }
  return { absolute, relocated, outsideRoots: absolute - relocated };
}
