import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { pageSize } from '../services/cursor.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { markReviewed } from '../services/review-mark.service.js';
import { reviewQueue } from '../services/review-queue.service.js';
import { toConnection } from '../schema/connection.type.js';
import { MarkReviewedInput, ReviewMark, ReviewOrderEnum, ReviewQueueConnection } from '../schema/review.type.js';
import { StudyFilter } from '../schema/study-filter.input.js';

@Resolver()
export class ReviewResolver {
  @Query(() => ReviewQueueConnection, {
    description: "Rows of a model set's (default: active) predictions to review first; reviewed rows leave it.",
  })
  async reviewQueue(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('modelSetId', () => ID, { nullable: true }) modelSetId: string | null,
    @Arg('order', () => ReviewOrderEnum, { defaultValue: ReviewOrderEnum.UNCERTAINTY }) order: ReviewOrderEnum,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ReviewQueueConnection> {
    const setId = await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId);
    const size = pageSize(first, ctx.config.graphql.maxPageSize);
    return toConnection(await reviewQueue(ctx.db, { scope: ctx.viewer.scope, filter, modelSetId: setId, order, first: size, after }));
  }

  @Mutation(() => ReviewMark, { description: 'Marks a row reviewed (researchers of its project), with an optional corrected label.' })
  async markReviewed(@Ctx() ctx: RequestContext, @Arg('input', () => MarkReviewedInput) input: MarkReviewedInput): Promise<ReviewMark> {
    return markReviewed(ctx.db, ctx.viewer, input);
  }
}
