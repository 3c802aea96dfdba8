// One import of a folder into a fresh database (and, optionally, the same import again, which must add nothing),
// through the import service exactly as the CLI and the job run it.
import { importStudies, type ImportResult } from '../../src/services/import/import-studies.js';
import { withBenchDatabase } from './bench-database.js';

export interface TimedImport {
  readonly threads: number;
  readonly wallMs: number;
  readonly result: ImportResult;
  /** The second import of the same folder: wall time, and what it added (nothing, when import is idempotent). */
  readonly again?: { readonly wallMs: number; readonly instancesAdded: number; readonly studiesAdded: number };
}

const SECRET = 'spinegraph-bench-patient-key-secret';

export async function timeImport(root: string, threads: number, options: { reimport?: boolean } = {}): Promise<TimedImport> {
  return withBenchDatabase('ingest', async ({ db }) => {
    const project = await db.prisma.project.create({ data: { name: 'bench-ingest' } });
    const run = async (): Promise<{ wallMs: number; result: ImportResult }> => {
      const start = performance.now();
      const result = await importStudies(db, { root, projectId: project.id, secret: SECRET, threads });
      return { wallMs: performance.now() - start, result };
    };
    const first = await run();
    if (!options.reimport) return { threads, ...first };
    const second = await run();
    return {
      threads,
      ...first,
      again: { wallMs: second.wallMs, instancesAdded: second.result.instances.added, studiesAdded: second.result.studies.added },
    };
  });
}
