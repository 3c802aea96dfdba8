import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { setKey } from '../api/loaders.js';
import { requireUuid } from '../domain/ids.js';
import type { ConditionEnum, KeypointSourceEnum, LevelEnum, SeverityEnum, SideEnum } from '../schema/enums.js';
import { Instance, Keypoint, Label, LabelPoint, Prediction } from '../schema/study-detail.type.js';
import { Series, Study } from '../schema/study.type.js';
import { labelPointsOf } from '../services/label-points.service.js';

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
    const rows = await ctx.loaders.predictionsByStudySet.load(setKey(study.id, setId));
    return rows.map((r) => ({
      ...r,
      condition: r.condition as ConditionEnum,
      level: r.level as LevelEnum,
      severity: r.severity as SeverityEnum,
    }));
  }

  @FieldResolver(() => [Label])
  async labels(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<Label[]> {
    const rows = await ctx.loaders.labelsByStudy.load(study.id);
    return rows.map((r) => ({
      ...r,
      condition: r.condition as ConditionEnum,
      level: r.level as LevelEnum,
      severity: r.severity as SeverityEnum,
    }));
  }

  @FieldResolver(() => [LabelPoint], { description: 'Where the labels were placed, each on the instance it belongs to.' })
  async labelPoints(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<LabelPoint[]> {
    return (await labelPointsOf(ctx.db, study.id)).map((p) => ({
      ...p,
      condition: p.condition as ConditionEnum,
      level: p.level as LevelEnum,
    }));
  }

  @FieldResolver(() => [Keypoint], { description: 'Keypoints of a model set (default: active) and every manual correction.' })
  async keypoints(
    @Root() study: Study,
    @Ctx() ctx: RequestContext,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
  ): Promise<Keypoint[]> {
    const setId = modelSetId != null ? requireUuid(modelSetId, 'modelSetId') : await ctx.loaders.activeModelSetId();
    const rows = await ctx.loaders.keypointsByStudySet.load(setKey(study.id, setId ?? '00000000-0000-0000-0000-000000000000'));
    return rows.map((r) => ({
      ...r,
      level: r.level as LevelEnum,
      side: r.side as SideEnum,
      source: r.source as KeypointSourceEnum,
      patientMm: [r.patientX, r.patientY, r.patientZ],
    }));
  }
}

@Resolver(() => Series)
export class SeriesFieldsResolver {
  @FieldResolver(() => [Instance], { description: 'Images in stack order (stack, then position along the slice normal).' })
  async instances(@Root() series: Series, @Ctx() ctx: RequestContext): Promise<Instance[]> {
    return ctx.loaders.instancesBySeries.load(series.id);
  }
}
