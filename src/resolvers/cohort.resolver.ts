import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { cohortSummary } from '../services/cohort.service.js';
import { evaluate } from '../services/evaluation.service.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { CohortSummary, Evaluation } from '../schema/cohort.type.js';
import { SeveritySourceEnum } from '../schema/enums.js';
import { StudyFilter } from '../schema/study-filter.input.js';

@Resolver()
export class CohortResolver {
  @Query(() => CohortSummary, { description: 'Severity counts over the filtered cohort, from predictions (argmax) or labels.' })
  async cohortSummary(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
    @Arg('source', () => SeveritySourceEnum, { nullable: true, defaultValue: SeveritySourceEnum.PREDICTED }) source: SeveritySourceEnum,
  ): Promise<CohortSummary> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    return cohortSummary(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId, source });
  }

  @Query(() => Evaluation, {
    description: 'The competition metric of a model set (default: active) against the labels of the filtered cohort.',
  })
  async evaluation(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
  ): Promise<Evaluation> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    return evaluate(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId });
  }
}
