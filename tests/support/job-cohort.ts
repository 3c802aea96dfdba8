// A cohort ready for inference jobs: synthetic RSNA-layout studies imported into a database of the test's own,
// and the fixture model set (real ONNX with known behaviour) registered and active. The rendered dataset is
// cached per (studies, seed, size) and copied per test, so a test may damage its copy's files.
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../src/db/client.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { registerModelSet } from '../../src/services/model-registry.service.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { writeFixtureModelSet } from '../fixtures/models/fixture-model-set.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const PATIENT_KEY_SECRET = 'job-tests-patient-key-secret';
/** The pipeline stores one prediction per (condition, level): 5 conditions x 5 levels. */
export const PREDICTIONS_PER_STUDY = 25;

export interface CohortOptions {
  readonly studies: number;
  readonly seed?: number;
  readonly size?: number;
  /** Admin URL of the PostgreSQL server to create the database on (default: the shared one). */
  readonly adminUrl?: string;
}

export interface Cohort {
  readonly tdb: TestDatabase;
  readonly db: Database;
  /** Study ids in external-id order. */
  readonly studyIds: readonly string[];
  readonly projectId: string;
  readonly modelSetId: string;
  /** This cohort's own copy of the DICOM files (stored instances point here). */
  readonly dataDir: string;
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The rendered dataset for these options, generated once per machine (rendering costs seconds per study). */
export async function cachedDataset(options: Required<Omit<CohortOptions, 'adminUrl'>>): Promise<string> {
  const root = join(tmpdir(), 'spinegraph-job-test-datasets');
  const dir = join(root, `n${options.studies}-seed${options.seed}-size${options.size}`);
  if (await exists(join(dir, 'train.csv'))) return dir;
  await mkdir(root, { recursive: true });
  const staging = await mkdtemp(join(root, 'staging-'));
  await generateDataset({ outDir: staging, studies: options.studies, seed: options.seed, size: options.size, workers: 1 });
  // Two test files may render the same dataset at once; the first rename wins and the other copy is dropped.
  await rename(staging, dir).catch(async () => {
    await rm(staging, { recursive: true, force: true });
    if (!(await exists(join(dir, 'train.csv')))) throw new Error(`dataset cache ${dir} is incomplete`);
  });
  return dir;
}

export async function createCohort(options: CohortOptions): Promise<Cohort> {
  const full = { seed: 7, size: 128, ...options };
  const source = await cachedDataset({ studies: full.studies, seed: full.seed, size: full.size });
  const work = await mkdtemp(join(tmpdir(), 'sg-job-cohort-'));
  const dataDir = join(work, 'data');
  await cp(source, dataDir, { recursive: true });
  const tdb = await createTestDatabase({ adminUrl: options.adminUrl });
  try {
    const projectId = (await ensureProject(tdb.db)).id;
    const imported = await importStudies(tdb.db, { root: dataDir, projectId, secret: PATIENT_KEY_SECRET, threads: 1 });
    if (imported.failures.length)
      throw new Error(`import failed for ${imported.failures.length} files: ${JSON.stringify(imported.failures.slice(0, 3))}`);
    await writeFixtureModelSet(join(work, 'models'));
    const { set } = await registerModelSet(tdb.db, join(work, 'models'), { activate: true });
    const studies = await tdb.db.prisma.study.findMany({ orderBy: { externalId: 'asc' }, select: { id: true } });
    return {
      tdb,
      db: tdb.db,
      studyIds: studies.map((s) => s.id),
      projectId,
      modelSetId: set.id,
      dataDir,
      async close() {
        await tdb.drop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await tdb.drop();
    await rm(work, { recursive: true, force: true });
    throw e;
  }
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface JobSnapshot {
  readonly id: string;
  readonly status: string;
  readonly progress: number;
  readonly attempts: number;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly result: unknown;
  readonly params: unknown;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export async function jobRow(db: Database, id: string): Promise<JobSnapshot> {
  return db.prisma.job.findUniqueOrThrow({ where: { id } });
}

export async function childRows(db: Database, parentId: string): Promise<(JobSnapshot & { studyId: string })[]> {
  const rows = await db.prisma.job.findMany({ where: { parentId }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => ({ ...r, studyId: (r.params as { studyId: string }).studyId }));
}

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

export async function waitForTerminal(db: Database, id: string, timeoutMs = 90_000): Promise<JobSnapshot> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const row = await jobRow(db, id);
      return TERMINAL.includes(row.status) ? row : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Prediction rows of the model set per study (0 for studies without any). */
export async function predictionCounts(db: Database, modelSetId: string, studyIds: readonly string[]): Promise<Record<string, number>> {
  const groups = await db.prisma.prediction.groupBy({
    by: ['studyId'],
    where: { modelSetId, studyId: { in: [...studyIds] } },
    _count: { _all: true },
  });
  const counts: Record<string, number> = Object.fromEntries(studyIds.map((id) => [id, 0]));
  for (const g of groups) counts[g.studyId] = g._count._all;
  return counts;
}

/** (study, role, level, side) groups holding more than one model keypoint: must be none. */
export async function duplicateKeypoints(
  db: Database,
  modelSetId: string,
): Promise<{ studyId: string; role: string; level: string; side: string; n: number }[]> {
  return db.sql.query(
    `SELECT "studyId", role, level::text AS level, side::text AS side, count(*)::int AS n FROM "Keypoint"
     WHERE "modelSetId" = $1::uuid AND source = 'MODEL' GROUP BY "studyId", role, level, side HAVING count(*) > 1`,
    [modelSetId],
  );
}
