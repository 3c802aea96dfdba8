import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { agreement } from '../services/agreement.service.js';
import { compareModelSets } from '../services/model-comparison.service.js';
import { resolveModelSetId, requireModelSetId } from '../services/model-sets.service.js';
import { Agreement, ModelSetComparison } from '../schema/analytics.type.js';
import { StudyFilter } from '../schema/study-filter.input.js';
import { StratifierEnum } from '../schema/enums.js';
import { suppressionPolicy } from '../services/strata.js';
import { toAgreement, toComparison } from './analytics.mapper.js';

@Resolver()
export class AnalyticsResolver {
  @Query(() => ModelSetComparison, {
    description:
      'Model set B against A on the labelled rows both predicted: each loss, b - a, and a paired bootstrap 95 % interval over studies.',
  })
  async compareModelSets(
    @Ctx() ctx: RequestContext,
    @Arg('a', () => ID) a: string,
    @Arg('b', () => ID) b: string,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('bootstrap', () => Int, { defaultValue: 2000 }) bootstrap: number,
    @Arg('seed', () => Int, { nullable: true }) seed: number | null,
  ): Promise<ModelSetComparison> {
    const [setA, setB] = await Promise.all([requireModelSetId(ctx.db, a, 'a'), requireModelSetId(ctx.db, b, 'b')]);
    const userId = ctx.viewer.userId;
    return toComparison(
      await compareModelSets(ctx.db, { scope: ctx.viewer.scope, filter, a: setA, b: setB, resamples: bootstrap, seed, userId }),
    );
  }

  @Query(() => Agreement, { description: "A model set's (default: active) agreement with the labels, per condition and level and pooled." })
  async agreement(
    @Ctx() ctx: RequestContext,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('groupBy', () => [StratifierEnum], {
      nullable: true,
      description: 'Answer per stratum as well (small strata suppressed for non-administrators).',
    })
    groupBy: StratifierEnum[] | null,
  ): Promise<Agreement> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    const policy = suppressionPolicy(ctx.viewer, ctx.config.analytics.minGroupSize);
    return toAgreement(
      await agreement(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId, groupBy, policy, userId: ctx.viewer.userId }),
    );
  }
}
