// The use cases that start jobs: who may, on what, with which parameters. Each checks the caller's roles, turns
// the request into the kind's contract parameters and hands them to JobService (row first, then the queue).
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { badInput, notFound } from '../domain/errors.js';
import type { StudyFilterInput } from '../domain/study-filter.js';
import { TRAINING_CONFIGS, isTrainingConfig } from '../domain/training.js';
import { requireRole, requireRoleSomewhere, scopeWithRole } from '../auth/permissions.js';
import type { Viewer } from '../auth/viewer.js';
import { startPull } from './dicomweb/dicomweb.use-cases.js';
import { confineToDataRoots } from './import/data-roots.js';
import { chooseModelSet } from './inference/model-set-choice.js';
import type { JobRow } from './job-store.js';
import type { JobService } from './jobs.service.js';
import { chooseImportProject } from './administration.service.js';
import { findModelSet } from './model-registry.service.js';
import { checkQuantizedSetName, DEFAULT_CALIBRATION_STUDIES } from './quantize.service.js';
import { selectStudyIds } from './studies.service.js';

export interface ImportRequest {
  /** A folder in DATA_ROOTS; or `source` (a DICOMweb source's name) with `studyInstanceUids`. */
  readonly path?: string | null;
  readonly source?: string | null;
  readonly studyInstanceUids?: readonly string[] | null;
  /** The project by id or name (`project` wins over `projectId`). */
  readonly project?: string | null;
  readonly projectId?: string | null;
}

export interface InferenceRequest {
  readonly studyIds?: readonly string[] | null;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId?: string | null;
}

export interface TrainingRequest {
  readonly config: string;
  readonly filter?: StudyFilterInput | null;
  readonly activate?: boolean | null;
  readonly name?: string | null;
}

export interface QuantizeRequest {
  /** The float set, by id or name. */
  readonly modelSetId: string;
  readonly name: string;
  /** How many studies to calibrate on (default 20), the first ones of the filter in import order. */
  readonly calibrationStudies?: number | null;
  readonly filter?: StudyFilterInput | null;
}

/** The one project a job belongs to, or none when its studies span several. */
const onlyProject = (projectIds: readonly string[]): string | null => (projectIds.length === 1 ? projectIds[0] : null);

export class JobStarts {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly jobs: JobService,
  ) {}

  /** IMPORT of a folder inside the data roots (or a DICOMweb pull), into a project where the caller is a researcher. */
  async importStudies(viewer: Viewer, input: ImportRequest): Promise<JobRow> {
    const project = await chooseImportProject(this.db, viewer, input.project ?? input.projectId);
    requireRole(viewer, project.id, 'RESEARCHER');
    if (input.source && input.path) throw badInput('Give path, or source with studyInstanceUids, not both', { field: 'path' });
    if (input.source) {
      const pull = { source: input.source, projectId: project.id, studyInstanceUids: input.studyInstanceUids ?? [] };
      return startPull({ db: this.db, config: this.config, viewer, jobs: this.jobs }, pull);
    }
    if (!input.path) throw badInput('Give path (a folder in DATA_ROOTS), or source with studyInstanceUids', { field: 'path' });
    const path = await confineToDataRoots(input.path, this.config.dataRoots);
    return this.jobs.start('IMPORT', { path, projectId: project.id }, { projectId: project.id, requestedById: viewer.userId });
  }

  /** INFERENCE over the selected studies: one cohort job with a child per study. */
  async runInference(viewer: Viewer, input: InferenceRequest): Promise<JobRow> {
    if (input.studyIds && input.filter) throw badInput('Give studyIds or filter, not both');
    const { set } = await chooseModelSet(this.db, this.config, input.modelSetId);
    const filter = input.studyIds ? { ...(input.filter ?? {}), ids: input.studyIds } : (input.filter ?? null);
    const studies = await selectStudyIds(this.db, viewer.scope, filter, set.id);
    if (input.studyIds && studies.length !== new Set(input.studyIds).size) {
      const found = new Set(studies.map((s) => s.id));
      throw notFound('Study', input.studyIds.find((id) => !found.has(id)) ?? '');
    }
    const projects = [...new Set(studies.map((s) => s.projectId))];
    for (const p of projects) requireRole(viewer, p, 'RESEARCHER');
    return this.jobs.startFlow(
      'INFERENCE',
      { modelSetId: set.id, studyCount: studies.length },
      studies.map((s) => ({ studyId: s.id, modelSetId: set.id })),
      { projectId: onlyProject(projects), modelSetId: set.id, requestedById: viewer.userId },
    );
  }

  /** TRAINING on the labelled studies of the filter, in projects where the caller may train. */
  async startTraining(viewer: Viewer, input: TrainingRequest): Promise<JobRow> {
    if (!isTrainingConfig(input.config))
      throw badInput(`config must be one of ${TRAINING_CONFIGS.join(', ')}, got "${input.config}"`, { field: 'config' });
    // A project named in the filter must be one where the caller may train.
    if (input.filter?.projectId) requireRole(viewer, input.filter.projectId, 'RESEARCHER');
    else requireRoleSomewhere(viewer, 'RESEARCHER');
    const filter = { ...(input.filter ?? {}), labelled: true };
    const studies = await selectStudyIds(this.db, scopeWithRole(viewer, 'RESEARCHER'), filter, null);
    if (studies.length < 2) throw badInput(`Training needs at least 2 labelled studies; the selection has ${studies.length}`);
    const projects = [...new Set(studies.map((s) => s.projectId))];
    return this.jobs.start(
      'TRAINING',
      { config: input.config, studyIds: studies.map((s) => s.id), activate: input.activate ?? false, name: input.name ?? null },
      { projectId: onlyProject(projects), requestedById: viewer.userId },
    );
  }

  /**
   * QUANTIZE a model set (`models quantize` as a job), calibrated on studies the caller may work on: who may train
   * may quantize. The new set is registered inactive; activating it stays activateModelSet's (a system admin's).
   */
  async quantizeModelSet(viewer: Viewer, input: QuantizeRequest): Promise<JobRow> {
    if (input.filter?.projectId) requireRole(viewer, input.filter.projectId, 'RESEARCHER');
    else requireRoleSomewhere(viewer, 'RESEARCHER');
    const n = input.calibrationStudies ?? DEFAULT_CALIBRATION_STUDIES;
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw badInput(`calibrationStudies must be an integer from 1 to 1000, got ${n}`, { field: 'calibrationStudies' });
    const source = await findModelSet(this.db, input.modelSetId);
    await checkQuantizedSetName(this.db, input.name);
    const studies = (await selectStudyIds(this.db, scopeWithRole(viewer, 'RESEARCHER'), input.filter ?? null, null)).slice(0, n);
    if (studies.length === 0) throw badInput('There are no studies to calibrate on in the projects where you may train; import some first');
    const projects = [...new Set(studies.map((s) => s.projectId))];
    return this.jobs.start(
      'QUANTIZE',
      { modelSetId: source.id, name: input.name, studyIds: studies.map((s) => s.id) },
      { projectId: onlyProject(projects), modelSetId: source.id, requestedById: viewer.userId },
    );
  }
}
