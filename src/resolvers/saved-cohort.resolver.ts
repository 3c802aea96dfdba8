import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { deleteCohort, getCohort, listCohorts, saveCohort } from '../services/saved-cohorts.service.js';
import { SaveCohortInput, SavedCohort } from '../schema/saved-cohort.type.js';
import { toSavedCohort } from './saved-cohort.mapper.js';

@Resolver()
export class SavedCohortResolver {
  @Query(() => [SavedCohort], { description: 'Saved cohorts of the projects you can see (or of one).' })
  async cohorts(
    @Ctx() ctx: RequestContext,
    @Arg('projectId', () => ID, { nullable: true }) projectId: string | null,
  ): Promise<SavedCohort[]> {
    return (await listCohorts(ctx.db, ctx.viewer, projectId)).map(toSavedCohort);
  }

  @Query(() => SavedCohort, { nullable: true, description: 'A saved cohort with its versions; null when unknown or not visible.' })
  async cohort(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<SavedCohort | null> {
    const row = await getCohort(ctx.db, ctx.viewer, id);
    return row && toSavedCohort(row);
  }

  @Mutation(() => SavedCohort, {
    description: 'Freezes the studies the filter matches in the project under a name (next version if it exists). Researchers.',
  })
  async saveCohort(@Ctx() ctx: RequestContext, @Arg('input', () => SaveCohortInput) input: SaveCohortInput): Promise<SavedCohort> {
    const modelSetId = await resolveModelSetId(ctx.db, null, ctx.loaders.activeModelSetId);
    return toSavedCohort(await saveCohort(ctx.db, ctx.viewer, { ...input, modelSetId }));
  }

  @Mutation(() => Boolean, { description: 'Deletes a cohort and its versions; refused (CONFLICT) once cited. Researchers.' })
  async deleteCohort(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return deleteCohort(ctx.db, ctx.viewer, id);
  }
}
