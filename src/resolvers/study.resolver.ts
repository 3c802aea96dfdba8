import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { notFound } from '../domain/errors.js';
import { pageSize } from '../services/cursor.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { countStudies, listStudies, type StudySelection } from '../services/studies.service.js';
import { toConnection } from '../schema/connection.type.js';
import { StudyConnection } from '../schema/study-connection.type.js';
import { StudyFilter } from '../schema/study-filter.input.js';
import { Project, Series, Study } from '../schema/study.type.js';

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => StudyConnection, { description: 'Studies matching the filter, as a Relay connection.' })
  async studies(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => StudyFilter, { nullable: true }) filter: StudyFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('modelSetId', () => ID, { nullable: true, description: 'Model set for `predicted` criteria (default: active).' })
    modelSetId: string | null,
  ): Promise<StudyConnection> {
    const selection: StudySelection = {
      scope: ctx.viewer.scope,
      filter,
      modelSetId: filter?.predicted?.length ? await resolveModelSetId(ctx.db, modelSetId, ctx.loaders.activeModelSetId) : null,
    };
    const page = await listStudies(ctx.db, { ...selection, first: pageSize(first, ctx.config.graphql.maxPageSize), after });
    return { ...toConnection(page), selection };
  }

  @Query(() => Study, { nullable: true })
  async study(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Study | null> {
    const page = await listStudies(ctx.db, { scope: ctx.viewer.scope, filter: { ids: [id] }, modelSetId: null, first: 1 });
    return page.nodes[0] ?? null;
  }

  @FieldResolver(() => Project)
  async project(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<Project> {
    const project = await ctx.loaders.projectById.load(study.projectId);
    if (!project) throw notFound('Project', study.projectId);
    return project;
  }

  @FieldResolver(() => [Series])
  async series(@Root() study: Study, @Ctx() ctx: RequestContext): Promise<Series[]> {
    return ctx.loaders.seriesByStudy.load(study.id);
  }
}

@Resolver(() => StudyConnection)
export class StudyConnectionResolver {
  @FieldResolver(() => Int, { description: 'How many studies match the filter, over all pages.' })
  async totalCount(@Root() connection: StudyConnection, @Ctx() ctx: RequestContext): Promise<number> {
    return countStudies(ctx.db, connection.selection);
  }
}
