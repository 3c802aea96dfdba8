import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { cohortSummary } from '../services/cohort.service.js';
import { evaluate } from '../services/evaluation.service.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { CohortSummary, Evaluation } from '../schema/cohort.type.js';
import { SeveritySourceEnum, StratifierEnum } from '../schema/enums.js';
import { suppressionPolicy } from '../services/strata.js';
import { toCohortSummary, toEvaluation } from './cohort.mapper.js';

const GROUP_BY = 'Answer per group of these stratifiers as well (groups below MIN_GROUP_SIZE suppressed for non-administrators).';
import { StudyFilter } from '../schema/study-filter.input.js';

@Resolver()
export class CohortResolver {
  @Query(() => CohortSummary, { description: 'Severity counts over the filtered cohort, from predictions (argmax) or labels.' })
  async cohortSummary(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
    @Arg('source', () => SeveritySourceEnum, { nullable: true, defaultValue: SeveritySourceEnum.PREDICTED }) source: SeveritySourceEnum,
    @Arg('groupBy', () => [StratifierEnum], { nullable: true, description: GROUP_BY }) groupBy: StratifierEnum[] | null,
  ): Promise<CohortSummary> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    const policy = suppressionPolicy(ctx.viewer, ctx.config.analytics.minGroupSize);
    return toCohortSummary(await cohortSummary(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId, source, groupBy, policy }));
  }

  @Query(() => Evaluation, {
    description: 'The competition metric of a model set (default: active) against the labels of the filtered cohort.',
  })
  async evaluation(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
    @Arg('groupBy', () => [StratifierEnum], { nullable: true, description: GROUP_BY }) groupBy: StratifierEnum[] | null,
  ): Promise<Evaluation> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    const policy = suppressionPolicy(ctx.viewer, ctx.config.analytics.minGroupSize);
    return toEvaluation(
      await evaluate(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId, groupBy, policy, userId: ctx.viewer.userId }),
    );
  }
}
