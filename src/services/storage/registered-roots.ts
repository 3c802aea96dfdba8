// Data roots registered in the database (the StorageRoot table) for folders imported from under no configured root
// (a command-line import of a folder outside DATA_ROOTS, rows relocated from old absolute URLs): their instances are
// stored as root://<name>/<path> like any other, and the folder's absolute path lives only in this table. It is
// never logged nor served (a PACS export's folder can name a patient); the name is random, never derived from it.
import { randomBytes } from 'node:crypto';
import { REGISTERED_ROOT_PREFIX, type StorageRoot } from '../../config/storage-roots.js';
import type { Database } from '../../db/client.js';

/** Registered names: the reserved prefix and 10 random hex digits (40 bits). */
export const REGISTERED_ROOT_NAME = new RegExp(`^${REGISTERED_ROOT_PREFIX}[0-9a-f]{10}$`);

// name -> folder, per database. A root's folder only changes through `spinegraph storage move-root`, after which the
// API and workers are restarted (as after a DATA_ROOTS change); a name not cached yet is looked up (an import in
// another process may have registered it since).
const cache = new WeakMap<Database, Map<string, string>>();

function cacheOf(db: Database): Map<string, string> {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  return byName;
}

/** Every registered root of the database, deepest folders first. */
export async function listRegisteredRoots(db: Database): Promise<StorageRoot[]> {
  const rows = await db.sql.query<{ name: string; path: string }>(`SELECT name, path FROM "StorageRoot" ORDER BY length(path) DESC, name`);
  for (const r of rows) cacheOf(db).set(r.name, r.path);
  return rows.map((r) => ({ name: r.name, path: r.path }));
}

/** The folder of a registered root, or null when the database has no root of that name. */
export async function registeredRootPath(db: Database, name: string): Promise<string | null> {
  const cached = cacheOf(db).get(name);
  if (cached !== undefined) return cached;
  if (!REGISTERED_ROOT_NAME.test(name)) return null;
  const [row] = await db.sql.query<{ path: string }>(`SELECT path FROM "StorageRoot" WHERE name = $1`, [name]);
  if (!row) return null;
  cacheOf(db).set(name, row.path);
  return row.path;
}

/**
 * Registers `folder` (a real, absolute path) as a data root and returns it; an already registered folder keeps its
 * name (two imports of one folder, even concurrent, share it).
 */
export async function registerStorageRoot(db: Database, folder: string): Promise<StorageRoot> {
  for (;;) {
    const name = `${REGISTERED_ROOT_PREFIX}${randomBytes(5).toString('hex')}`;
    // DO NOTHING on either key: the folder registered meanwhile (read back below), or a name drawn twice (drawn again).
    await db.sql.query(`INSERT INTO "StorageRoot" (name, path) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [name, folder]);
    const [row] = await db.sql.query<{ name: string }>(`SELECT name FROM "StorageRoot" WHERE path = $1`, [folder]);
    if (row) {
      cacheOf(db).set(row.name, folder);
      return { name: row.name, path: folder };
    }
  }
}

/** Points a registered root at another folder (its data moved); false when no root has that name. */
export async function moveRegisteredRoot(db: Database, name: string, folder: string): Promise<boolean> {
  const rows = await db.sql.query<{ name: string }>(`UPDATE "StorageRoot" SET path = $2 WHERE name = $1 RETURNING name`, [name, folder]);
  if (rows.length > 0) cacheOf(db).set(name, folder);
  return rows.length > 0;
}

/** Each registered root with the number of instances stored under it, for the operator (`spinegraph storage roots`). */
export async function registeredRootUsage(db: Database): Promise<{ name: string; path: string; instances: number }[]> {
  const rows = await db.sql.query<{ name: string; path: string; instances: string }>(
    `SELECT r.name, r.path,
            (SELECT count(*) FROM "Instance" i WHERE i."storageUri" LIKE 'root://' || r.name || '/%') AS instances
     FROM "StorageRoot" r ORDER BY r."createdAt", r.name`,
  );
  return rows.map((r) => ({ name: r.name, path: r.path, instances: Number(r.instances) }));
}
