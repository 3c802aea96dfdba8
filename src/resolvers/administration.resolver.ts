import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import {
  createProject,
  describeMe,
  grantMembership,
  listMemberships,
  listProjects,
  revokeMembership,
} from '../services/administration.service.js';
import { listAudit } from '../services/audit.service.js';
import {
  AuditEventFilter,
  AuditEventPage,
  GrantMembershipInput,
  Me,
  Membership,
  ProjectAccess,
  RevokeMembershipInput,
} from '../schema/administration.type.js';
import { toAuditEvent, toMe, toMembership, toProject } from './administration.mapper.js';

@Resolver()
export class AdministrationResolver {
  @Query(() => [ProjectAccess], { description: 'The projects you can see, by name, with your role in each.' })
  async projects(@Ctx() ctx: RequestContext): Promise<ProjectAccess[]> {
    return (await listProjects(ctx.db, ctx.viewer)).map(toProject);
  }

  @Query(() => Me, { description: 'Your account, memberships and roles.' })
  async me(@Ctx() ctx: RequestContext): Promise<Me> {
    return toMe(await describeMe(ctx.db, ctx.viewer));
  }

  @Query(() => [Membership], { description: "A project's memberships (its administrators and system administrators)." })
  async memberships(
    @Ctx() ctx: RequestContext,
    @Arg('project', () => String, { description: 'id or name' }) project: string,
  ): Promise<Membership[]> {
    return (await listMemberships(ctx.db, ctx.viewer, project)).map(toMembership);
  }

  @Query(() => AuditEventPage, {
    description:
      'The audit log, newest first: every event for system administrators; for a project administrator, the events that name the projects they administer.',
  })
  async auditEvents(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter: AuditEventFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditEventPage> {
    const page = await listAudit(ctx.db, ctx.viewer, { ...filter, first, after }, ctx.config.graphql.maxPageSize);
    return { nodes: page.events.map(toAuditEvent), endCursor: page.endCursor, hasNextPage: page.hasNextPage };
  }

  @Mutation(() => ProjectAccess, { description: 'A new project (system administrators).' })
  async createProject(@Ctx() ctx: RequestContext, @Arg('name', () => String) name: string): Promise<ProjectAccess> {
    return toProject(await createProject(ctx.db, ctx.viewer, name));
  }

  @Mutation(() => Membership, { description: "Sets a person's role in a project (the project's administrators)." })
  async grantMembership(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => GrantMembershipInput) input: GrantMembershipInput,
  ): Promise<Membership> {
    return toMembership(await grantMembership(ctx.db, ctx.viewer, input));
  }

  @Mutation(() => Membership, { description: "Removes a person's membership; returns what it was." })
  async revokeMembership(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RevokeMembershipInput) input: RevokeMembershipInput,
  ): Promise<Membership> {
    return toMembership(await revokeMembership(ctx.db, ctx.viewer, input));
  }
}
