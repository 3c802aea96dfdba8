import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { badInput, notFound } from '../domain/errors.js';
import { requireRole, requireRoleSomewhere, requireSystemAdmin, scopeWithRole } from '../auth/permissions.js';
import type { Side } from '../domain/vocabulary.js';
import { chooseImportProject } from '../services/administration.service.js';
import { startPull } from '../services/dicomweb/dicomweb.use-cases.js';
import { confineToDataRoots } from '../services/import/data-roots.js';
import { chooseModelSet } from '../services/inference/model-set-choice.js';
import { correctKeypoint } from '../services/keypoints.service.js';
import { activateModelSet, listModelSets } from '../services/model-registry.service.js';
import { selectStudyIds } from '../services/studies.service.js';
import { TRAINING_CONFIGS, isTrainingConfig } from '../domain/training.js';
import type { KeypointSourceEnum, LevelEnum, SideEnum } from '../schema/enums.js';
import { toJob } from './job.mapper.js';
import { Job } from '../schema/job.type.js';
import { ModelSet } from '../schema/model-set.type.js';
import { CorrectKeypointInput, ImportStudiesInput, RunInferenceInput, StartTrainingInput } from '../schema/mutation.input.js';
import { Keypoint } from '../schema/study-detail.type.js';

@Resolver()
export class MutationResolver {
  @Query(() => [ModelSet], { description: 'Every registered model set, oldest first.' })
  async modelSets(@Ctx() ctx: RequestContext): Promise<ModelSet[]> {
    return listModelSets(ctx.db);
  }

  @Mutation(() => Job, {
    description: "Queues an import of a folder inside the server's data roots, or a pull of studies from a DICOMweb source.",
  })
  async importStudies(@Ctx() ctx: RequestContext, @Arg('input', () => ImportStudiesInput) input: ImportStudiesInput): Promise<Job> {
    const project = await chooseImportProject(ctx.db, ctx.viewer, input.project ?? input.projectId);
    requireRole(ctx.viewer, project.id, 'RESEARCHER');
    if (input.source && input.path) throw badInput('Give path, or source with studyInstanceUids, not both', { field: 'path' });
    if (input.source) {
      const pull = { source: input.source, projectId: project.id, studyInstanceUids: input.studyInstanceUids ?? [] };
      return toJob(await startPull({ ...ctx, jobs: ctx.services.jobs }, pull));
    }
    if (!input.path) throw badInput('Give path (a folder in DATA_ROOTS), or source with studyInstanceUids', { field: 'path' });
    const path = await confineToDataRoots(input.path, ctx.config.dataRoots);
    const row = await ctx.services.jobs.start(
      'IMPORT',
      { path, projectId: project.id },
      { projectId: project.id, requestedById: ctx.viewer.userId },
    );
    return toJob(row);
  }

  @Mutation(() => Job, { description: 'Runs the pipeline on the selected studies: one child job per study under one cohort job.' })
  async runInference(@Ctx() ctx: RequestContext, @Arg('input', () => RunInferenceInput) input: RunInferenceInput): Promise<Job> {
    if (input.studyIds && input.filter) throw badInput('Give studyIds or filter, not both');
    const { set } = await chooseModelSet(ctx.db, ctx.config, input.modelSetId);
    const filter = input.studyIds ? { ...(input.filter ?? {}), ids: input.studyIds } : (input.filter ?? null);
    const studies = await selectStudyIds(ctx.db, ctx.viewer.scope, filter, set.id);
    if (input.studyIds && studies.length !== new Set(input.studyIds).size) {
      const found = new Set(studies.map((s) => s.id));
      throw notFound('Study', input.studyIds.find((id) => !found.has(id)) ?? '');
    }
    const projects = [...new Set(studies.map((s) => s.projectId))];
    for (const p of projects) requireRole(ctx.viewer, p, 'RESEARCHER');
    const row = await ctx.services.jobs.startFlow(
      'INFERENCE',
      { modelSetId: set.id, studyCount: studies.length },
      studies.map((s) => ({ studyId: s.id, modelSetId: set.id })),
      { projectId: projects.length === 1 ? projects[0] : null, modelSetId: set.id, requestedById: ctx.viewer.userId },
    );
    return toJob(row);
  }

  @Mutation(() => Job, { description: 'Retrains the models on the labelled studies of the filter and registers a new model set.' })
  async startTraining(@Ctx() ctx: RequestContext, @Arg('input', () => StartTrainingInput) input: StartTrainingInput): Promise<Job> {
    if (!isTrainingConfig(input.config))
      throw badInput(`config must be one of ${TRAINING_CONFIGS.join(', ')}, got "${input.config}"`, { field: 'config' });
    // Only the labelled studies of projects where the caller may train; a project named in the filter must be one.
    if (input.filter?.projectId) requireRole(ctx.viewer, input.filter.projectId, 'RESEARCHER');
    else requireRoleSomewhere(ctx.viewer, 'RESEARCHER');
    const studies = await selectStudyIds(
      ctx.db,
      scopeWithRole(ctx.viewer, 'RESEARCHER'),
      { ...(input.filter ?? {}), labelled: true },
      null,
    );
    if (studies.length < 2) throw badInput(`Training needs at least 2 labelled studies; the selection has ${studies.length}`);
    const projects = [...new Set(studies.map((s) => s.projectId))];
    const row = await ctx.services.jobs.start(
      'TRAINING',
      { config: input.config, studyIds: studies.map((s) => s.id), activate: input.activate ?? false, name: input.name ?? null },
      { projectId: projects.length === 1 ? projects[0] : null, requestedById: ctx.viewer.userId },
    );
    return toJob(row);
  }

  @Mutation(() => ModelSet, { description: 'Makes this model set the one inference and queries use by default.' })
  async activateModelSet(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ModelSet> {
    requireSystemAdmin(ctx.viewer);
    return activateModelSet(ctx.db, id);
  }

  @Mutation(() => Keypoint, { description: "Stores a manual keypoint beside the model's." })
  async correctKeypoint(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CorrectKeypointInput) input: CorrectKeypointInput,
  ): Promise<Keypoint> {
    const visible = await selectStudyIds(ctx.db, ctx.viewer.scope, { ids: [input.studyId] }, null);
    if (visible.length === 0) throw notFound('Study', input.studyId);
    requireRole(ctx.viewer, visible[0].projectId, 'RESEARCHER');
    const k = await correctKeypoint(ctx.db, {
      ...input,
      level: input.level,
      side: (input.side ?? 'NONE') as Side,
      userId: ctx.viewer.userId,
    });
    return {
      ...k,
      level: k.level as LevelEnum,
      side: k.side as SideEnum,
      source: k.source as KeypointSourceEnum,
      patientMm: [k.patientX, k.patientY, k.patientZ],
    };
  }
}
