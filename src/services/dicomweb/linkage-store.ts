// The OriginalUidLink table: written by a pull from a source with linkage on, read only by the SR export.
// Nothing here is reachable from GraphQL.
import type { Database } from '../../db/client.js';
import { openUid, sealKey, sealUid } from './sealed-uid.js';

export type LinkLevel = 'STUDY' | 'SERIES' | 'INSTANCE';

export interface OriginalUid {
  readonly pseudonymousUid: string;
  readonly originalUid: string;
  readonly level: LinkLevel;
}

const associated = (projectId: string, pseudonymousUid: string): string => `${projectId}:${pseudonymousUid}`;

export async function storeOriginalUids(
  db: Database,
  linkageKey: string,
  projectId: string,
  source: string,
  uids: readonly OriginalUid[],
): Promise<number> {
  if (uids.length === 0) return 0;
  const key = sealKey(linkageKey, 'linkage');
  const rows = await db.sql.query<{ pseudonymousUid: string }>(
    `INSERT INTO "OriginalUidLink" ("projectId", "pseudonymousUid", level, source, "sealedUid")
     SELECT $1::uuid, p, l, $2, s FROM unnest($3::text[], $4::text[], $5::text[]) AS t(p, l, s)
     ON CONFLICT ("projectId", "pseudonymousUid") DO NOTHING RETURNING "pseudonymousUid"`,
    [
      projectId,
      source,
      uids.map((u) => u.pseudonymousUid),
      uids.map((u) => u.level),
      uids.map((u) => sealUid(key, u.originalUid, associated(projectId, u.pseudonymousUid))),
    ],
  );
  return rows.length;
}

/** Original UIDs by pseudonym, for those of `pseudonyms` that have a link; the rest are absent from the map. */
export async function readOriginalUids(
  db: Database,
  linkageKey: string,
  projectId: string,
  pseudonyms: readonly string[],
): Promise<Map<string, string>> {
  if (pseudonyms.length === 0) return new Map();
  const key = sealKey(linkageKey, 'linkage');
  const rows = await db.sql.query<{ pseudonymousUid: string; sealedUid: string }>(
    `SELECT "pseudonymousUid", "sealedUid" FROM "OriginalUidLink" WHERE "projectId" = $1::uuid AND "pseudonymousUid" = ANY($2::text[])`,
    [projectId, [...new Set(pseudonyms)]],
  );
  return new Map(rows.map((r) => [r.pseudonymousUid, openUid(key, r.sealedUid, associated(projectId, r.pseudonymousUid))]));
}
