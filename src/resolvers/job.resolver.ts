import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { jobProgressStream } from '../api/job-progress-stream.js';
import { TOPICS } from '../api/pubsub.js';
import type { JobProgressMessage } from '../domain/job.js';
import { pageSize } from '../services/cursor.js';
import { jobVisible } from '../services/jobs.service.js';
import { requireRole, requireSystemAdmin } from '../auth/permissions.js';
import { toConnection } from '../schema/connection.type.js';
import { JobKindEnum, JobStatusEnum } from '../schema/enums.js';
import { toJob, toProgressEvent } from './job.mapper.js';
import { Job, JobConnection, JobProgressEvent } from '../schema/job.type.js';

@Resolver(() => Job)
export class JobResolver {
  @Query(() => JobConnection, { description: 'Jobs, newest first. Children of cohort jobs only with includeChildren.' })
  async jobs(
    @Ctx() ctx: RequestContext,
    @Arg('kind', () => JobKindEnum, { nullable: true }) kind: JobKindEnum | null,
    @Arg('status', () => JobStatusEnum, { nullable: true }) status: JobStatusEnum | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('includeChildren', () => Boolean, { nullable: true, defaultValue: false }) includeChildren: boolean,
  ): Promise<JobConnection> {
    const page = await ctx.services.jobs.list({
      kind,
      status,
      first: pageSize(first, ctx.config.graphql.maxPageSize),
      after,
      includeChildren,
      viewer: ctx.viewer,
    });
    return { ...toConnection({ ...page, nodes: page.nodes.map(toJob) }), totalCount: page.totalCount };
  }

  @Query(() => Job, { nullable: true })
  async job(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Job | null> {
    try {
      return toJob(await ctx.services.jobs.get(id, ctx.viewer));
    } catch {
      return null;
    }
  }

  @Mutation(() => Job, { description: 'Queued: removed. Running: aborted by its worker. Finished: CONFLICT.' })
  async cancelJob(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Job> {
    const job = await ctx.services.jobs.get(id, ctx.viewer);
    // Whoever started a job may cancel it; otherwise a researcher of its project (or an administrator).
    if (job.requestedById === null || job.requestedById !== ctx.viewer.userId) {
      if (job.projectId) requireRole(ctx.viewer, job.projectId, 'RESEARCHER');
      else requireSystemAdmin(ctx.viewer);
    }
    return toJob(await ctx.services.jobs.cancel(id));
  }

  @Subscription(() => JobProgressEvent, {
    description: "The job's current state first, then every change; ends after a terminal state.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { jobId: string }, RequestContext>) =>
      jobProgressStream(context, args.jobId),
  })
  jobProgress(@Root() message: JobProgressMessage, @Arg('jobId', () => ID) _jobId: string): JobProgressEvent {
    return toProgressEvent(message);
  }

  @Subscription(() => Job, {
    description: 'Any job (of that kind) changed status.',
    topics: TOPICS.JOB_UPDATED,
    filter: ({ payload, args, context }: { payload: JobProgressMessage; args: { kind?: string | null }; context: RequestContext }) =>
      (!args.kind || payload.kind === args.kind) && jobVisible(payload, context.viewer),
  })
  async jobUpdated(
    @Ctx() ctx: RequestContext,
    @Root() message: JobProgressMessage,
    @Arg('kind', () => JobKindEnum, { nullable: true }) _kind: JobKindEnum | null,
  ): Promise<Job> {
    return toJob(await ctx.services.jobs.get(message.jobId, ctx.viewer));
  }
}
