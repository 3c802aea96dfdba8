// Import writes a cohort with a fixed number of queries, not one per series: the stored instances of every touched
// series are read in one query and the instances written in batches (issue 19). Counted on a real PostgreSQL
// database through the executor the import is handed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset, type DatasetSummary } from '../../src/synth/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let tdb: TestDatabase;
let dir: string;
let data: DatasetSummary;
let projectId: string;

/** The database with every SQL statement recorded. */
function counting(db: Database, log: string[]): Database {
  return {
    ...db,
    sql: {
      query: (sql, params) => {
        log.push(sql);
        return db.sql.query(sql, params);
      },
      exec: (sql) => {
        log.push(sql);
        return db.sql.exec(sql);
      },
    },
  } as Database;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-import-batched-'));
  data = await generateDataset({ outDir: join(dir, 'cohort'), studies: 3, seed: 5, size: 64 });
  tdb = await createTestDatabase();
  projectId = (await ensureProject(tdb.db, 'import-batched')).id;
}, 240_000);

afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('import queries', () => {
  it('reads stored instances once and writes instances in one statement, whatever the number of series', async () => {
    expect(data.seriesCount).toBeGreaterThanOrEqual(6);
    const log: string[] = [];
    const result = await importStudies(counting(tdb.db, log), { root: join(dir, 'cohort'), projectId, secret: 'batched' });
    expect(result.failures).toEqual([]);
    expect(result.series.added).toBe(data.seriesCount);
    expect(result.instances.added).toBe(data.fileCount);
    // The stored instances (SELECT of sopInstanceUid ...); the series statistics read Instance too, once, aggregated.
    expect(log.filter((s) => /^SELECT "seriesId", "sopInstanceUid"[^]*FROM "Instance" WHERE/.test(s))).toHaveLength(1);
    expect(log.filter((s) => /FROM "Instance" WHERE "seriesId" = \$1/.test(s))).toEqual([]);
    expect(log.filter((s) => /INSERT INTO "Instance"/.test(s))).toHaveLength(1);
    // Everything else is per import, not per series: fewer statements than series would allow one each.
    expect(log.length).toBeLessThan(data.seriesCount + 10);

    // A re-import finds every file stored and writes none again.
    const again = await importStudies(tdb.db, { root: join(dir, 'cohort'), projectId, secret: 'batched' });
    expect(again.skippedKnownFiles).toBe(data.fileCount);
    expect(again.instances).toEqual({ added: 0, total: data.fileCount });
  });
});
