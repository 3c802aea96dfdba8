// A small, real cohort for API tests: synthetic DICOM written to disk, imported, a fixture model set registered.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../src/db/client.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { registerModelSet, type ModelSetRow } from '../../src/services/model-registry.service.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { writeFixtureModelSet } from '../fixtures/models/fixture-model-set.js';

export interface CohortFixture {
  readonly dir: string;
  readonly projectId: string;
  readonly modelSet: ModelSetRow;
  readonly modelsDir: string;
  cleanup(): Promise<void>;
}

export async function createCohortFixture(
  db: Database,
  options: { studies: number; seed: number; size?: number; project?: string },
): Promise<CohortFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-cohort-'));
  await generateDataset({ outDir: join(dir, 'data'), studies: options.studies, seed: options.seed, size: options.size ?? 96 });
  const projectId = (await ensureProject(db, options.project ?? 'cohort')).id;
  await importStudies(db, { root: join(dir, 'data'), projectId, secret: 'cohort-fixture-secret' });
  const modelsDir = join(dir, 'models');
  await writeFixtureModelSet(modelsDir);
  const { set } = await registerModelSet(db, modelsDir, { activate: true, name: 'fixture' });
  return { dir, projectId, modelSet: set, modelsDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
