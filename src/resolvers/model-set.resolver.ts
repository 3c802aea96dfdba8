import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { listModelSets } from '../services/model-registry.service.js';
import { ModelSet } from '../schema/model-set.type.js';

@Resolver(() => ModelSet)
export class ModelSetResolver {
  @Query(() => [ModelSet], { description: 'Every registered model set, oldest first.' })
  async modelSets(@Ctx() ctx: RequestContext): Promise<ModelSet[]> {
    return listModelSets(ctx.db);
  }
}
