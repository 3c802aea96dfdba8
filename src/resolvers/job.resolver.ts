import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../api/context.js';
import { jobProgressStream } from '../api/job-progress-stream.js';
import { TOPICS } from '../api/pubsub.js';
import type { JobProgressMessage, JobUpdatedMessage } from '../domain/job.js';
import { pageSize } from '../services/cursor.js';
import { jobVisible } from '../services/jobs.service.js';
import { toConnection } from '../schema/connection.type.js';
import { JobKindEnum, JobStatusEnum } from '../schema/enums.js';
import { toJob, toJobFromSnapshot, toProgressEvent } from './job.mapper.js';
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
    const size = pageSize(first, ctx.config.graphql.maxPageSize);
    const page = await ctx.services.jobs.list({ kind, status, first: size, after, includeChildren, viewer: ctx.viewer });
    return { ...toConnection({ ...page, nodes: page.nodes.map(toJob) }), totalCount: page.totalCount };
  }

  @Query(() => Job, { nullable: true })
  async job(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Job | null> {
    const row = await ctx.services.jobs.find(id, ctx.viewer);
    return row && toJob(row);
  }

  @Mutation(() => Job, { description: 'Queued: removed. Running: aborted by its worker. Finished: CONFLICT.' })
  async cancelJob(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Job> {
    return toJob(await ctx.services.jobs.cancelAs(id, ctx.viewer));
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
    filter: ({ payload, args, context }: { payload: JobUpdatedMessage; args: { kind?: string | null }; context: RequestContext }) =>
      (!args.kind || payload.kind === args.kind) && jobVisible(payload, context.viewer),
  })
  jobUpdated(@Root() message: JobUpdatedMessage, @Arg('kind', () => JobKindEnum, { nullable: true }) _kind: JobKindEnum | null): Job {
    // The event carries the row as it was written: no database read per event and subscriber.
    return toJobFromSnapshot(message.job);
  }
}
