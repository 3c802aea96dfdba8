import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { setKey } from '../api/loaders.js';
import { requireUuid } from '../domain/ids.js';
import { toKeypoint } from './keypoint.mapper.js';
import { Instance, Keypoint, Label, LabelPoint, Prediction } from '../schema/study-detail.type.js';
import { Series, Study } from '../schema/study.type.js';
import { labelPointsOf } from '../services/label-points.service.js';

const NO_MODEL_SET = '00000000-0000-0000-0000-000000000000';

/** Per-study detail, batched across the studies of a page through DataLoaders. */
@Resolver(() => Study)
export class StudyFieldsResolver {
  @FieldResolver(() => [Prediction], { description: 'The 25 predictions of a model set (default: active); empty when it has not run.' })
  async predictions(
    @Root() study: Study,
    @Ctx() ctx: RequestContext,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
  ): Promise<Prediction[]> {
    const setId = modelSetId != null ? requireUuid(modelSetId, 'modelSetId') : await ctx.loaders.activeModelSetId();
    if (!setId) return [];
    return ctx.loaders.predictionsByStudySet.load(setKey(study.id, setId));
  }

  @FieldResolver(() => [Label])
  async labels(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<Label[]> {
    return ctx.loaders.labelsByStudy.load(study.id);
  }

  @FieldResolver(() => [LabelPoint], { description: 'Where the labels were placed, each on the instance it belongs to.' })
  async labelPoints(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<LabelPoint[]> {
    return labelPointsOf(ctx.db, study.id);
  }

  @FieldResolver(() => [Keypoint], { description: 'Keypoints of a model set (default: active) and every manual correction.' })
  async keypoints(
    @Root() study: Study,
    @Ctx() ctx: RequestContext,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
  ): Promise<Keypoint[]> {
    const setId = modelSetId != null ? requireUuid(modelSetId, 'modelSetId') : await ctx.loaders.activeModelSetId();
    // With no model set at all, a key no set matches: only the manual corrections are served.
    const rows = await ctx.loaders.keypointsByStudySet.load(setKey(study.id, setId ?? NO_MODEL_SET));
    return rows.map(toKeypoint);
  }
}

@Resolver(() => Series)
export class SeriesFieldsResolver {
  @FieldResolver(() => [Instance], { description: 'Images in stack order (stack, then position along the slice normal).' })
  async instances(@Root() series: Series, @Ctx() ctx: RequestContext): Promise<Instance[]> {
    return ctx.loaders.instancesBySeries.load(series.id);
  }
}
