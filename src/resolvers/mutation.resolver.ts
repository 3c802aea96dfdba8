import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { requireSystemAdmin } from '../auth/permissions.js';
import { correctKeypointAs } from '../services/keypoints.service.js';
import { activateModelSet } from '../services/model-registry.service.js';
import { toJob } from './job.mapper.js';
import { toKeypoint } from './keypoint.mapper.js';
import { Job } from '../schema/job.type.js';
import { ModelSet } from '../schema/model-set.type.js';
import {
  CorrectKeypointInput,
  ImportStudiesInput,
  QuantizeModelSetInput,
  RunInferenceInput,
  StartTrainingInput,
} from '../schema/mutation.input.js';
import { Keypoint } from '../schema/study-detail.type.js';

@Resolver()
export class MutationResolver {
  @Mutation(() => Job, {
    description: "Queues an import of a folder inside the server's data roots, or a pull of studies from a DICOMweb source.",
  })
  async importStudies(@Ctx() ctx: RequestContext, @Arg('input', () => ImportStudiesInput) input: ImportStudiesInput): Promise<Job> {
    return toJob(await ctx.services.starts.importStudies(ctx.viewer, input));
  }

  @Mutation(() => Job, { description: 'Runs the pipeline on the selected studies: one child job per study under one cohort job.' })
  async runInference(@Ctx() ctx: RequestContext, @Arg('input', () => RunInferenceInput) input: RunInferenceInput): Promise<Job> {
    return toJob(await ctx.services.starts.runInference(ctx.viewer, input));
  }

  @Mutation(() => Job, { description: 'Retrains the models on the labelled studies of the filter and registers a new model set.' })
  async startTraining(@Ctx() ctx: RequestContext, @Arg('input', () => StartTrainingInput) input: StartTrainingInput): Promise<Job> {
    return toJob(await ctx.services.starts.startTraining(ctx.viewer, input));
  }

  @Mutation(() => Job, {
    description: 'Writes and registers a static int8 (QDQ) copy of a model set, as `spinegraph models quantize` does.',
  })
  async quantizeModelSet(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => QuantizeModelSetInput) input: QuantizeModelSetInput,
  ): Promise<Job> {
    return toJob(await ctx.services.starts.quantizeModelSet(ctx.viewer, input));
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
    return toKeypoint(await correctKeypointAs(ctx.db, ctx.viewer, input));
  }
}
