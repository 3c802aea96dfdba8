// Starting, cancelling and listing jobs. The Job row is written first (the record), then the queue entry.
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import { AppError, badInput, notFound, unavailable } from '../domain/errors.js';
import type { JobKind, JobStatus } from '../domain/job.js';
import { TERMINAL_STATUSES } from '../domain/job.js';
import type { ProjectScope } from '../domain/study-filter.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { JobRow, JobStore } from './job-store.js';

/**
 * The queue as the job service needs it (the port); src/queue/job-queues.ts (BullMQ on Redis) and
 * src/queue/in-process-runner.ts (jobs in the API process, JOB_MODE=in-process) implement it and the entry points
 * pass one in, so this layer never imports the queue.
 */
export interface JobQueuePort {
  /** Fails fast with SERVICE_UNAVAILABLE when the queue does not answer, before anything is written. */
  assertAvailable(): Promise<void>;
  add(kind: JobKind, jobId: string): Promise<void>;
  /** A parent processed after all its children; a failed child fails only itself. */
  addFlow(kind: JobKind, parentId: string, childIds: readonly string[]): Promise<void>;
  /** Removes a job that no worker holds yet; false when it is running (or gone). */
  removeIfWaiting(kind: JobKind, jobId: string): Promise<boolean>;
  /** Asks the worker running the job to abort it. */
  requestCancel(jobId: string): Promise<void>;
}

export interface JobOrigin {
  readonly projectId?: string | null;
  readonly modelSetId?: string | null;
  readonly requestedById?: string | null;
}

export interface JobPage {
  readonly nodes: JobRow[];
  readonly cursors: string[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

export class JobService {
  constructor(
    private readonly db: Database,
    private readonly store: JobStore,
    private readonly queues: JobQueuePort | null,
  ) {}

  private requireQueues(): JobQueuePort {
    if (!this.queues) throw unavailable('This server runs without a job queue (embedded mode); start it with Redis to run jobs');
    return this.queues;
  }

  async start(kind: JobKind, params: Prisma.InputJsonValue, origin: JobOrigin): Promise<JobRow> {
    const queues = this.requireQueues();
    await queues.assertAvailable();
    const row = await this.store.create({ kind, params, ...origin });
    try {
      await queues.add(kind, row.id);
    } catch (e) {
      await this.store.fail(row.id, 'SERVICE_UNAVAILABLE', 'The job could not be queued');
      throw unavailable('The job queue (Redis) is not reachable; try again shortly', e);
    }
    return row;
  }

  /** One parent job with a child per item (e.g. per study); the parent aggregates when all children finish. */
  async startFlow(
    kind: JobKind,
    params: Prisma.InputJsonValue,
    childParams: readonly Prisma.InputJsonValue[],
    origin: JobOrigin,
  ): Promise<JobRow> {
    if (childParams.length === 0) throw badInput('Nothing to do: the selection is empty');
    const queues = this.requireQueues();
    await queues.assertAvailable();
    const parent = await this.store.create({ kind, params, ...origin });
    const children: string[] = [];
    try {
      const rows = await this.db.prisma.job.createManyAndReturn({
        data: childParams.map((p) => ({
          kind,
          params: p,
          parentId: parent.id,
          projectId: origin.projectId ?? null,
          modelSetId: origin.modelSetId ?? null,
          requestedById: origin.requestedById ?? null,
        })),
        select: { id: true },
      });
      children.push(...rows.map((r) => r.id));
      await queues.addFlow(kind, parent.id, children);
    } catch (e) {
      await this.store.fail(parent.id, 'SERVICE_UNAVAILABLE', 'The job could not be queued');
      if (children.length)
        await this.db.prisma.job.updateMany({
          where: { parentId: parent.id },
          data: { status: 'FAILED', errorCode: 'SERVICE_UNAVAILABLE', finishedAt: new Date() },
        });
      throw e instanceof AppError ? e : unavailable('The job queue (Redis) is not reachable; try again shortly', e);
    }
    return parent;
  }

  /** Queued: removed from the queue. Running: aborted cooperatively by its worker. Finished: CONFLICT. */
  async cancel(id: string): Promise<JobRow> {
    const row = await this.store.get(id);
    if (TERMINAL_STATUSES.includes(row.status)) throw new AppError('CONFLICT', `Job ${id} has already finished (${row.status})`);
    const queues = this.requireQueues();
    await queues.assertAvailable();
    const children = await this.store.children(id);
    for (const job of [...children, row]) {
      if (TERMINAL_STATUSES.includes(job.status)) continue;
      const removed = await queues.removeIfWaiting(job.kind, job.id);
      if (removed || job.status === 'QUEUED') await this.store.cancel(job.id);
      else await queues.requestCancel(job.id);
    }
    // A parent waiting for its children is not active in BullMQ; its own entry went with removeChildren.
    const fresh = await this.store.get(id);
    if (!TERMINAL_STATUSES.includes(fresh.status) && children.length) return this.store.cancel(id);
    return fresh;
  }

  /** A job the viewer may see (its project is visible, or they asked for it); anything else reads as NOT_FOUND. */
  async get(id: string, viewer: JobViewer): Promise<JobRow> {
    const row = await this.db.prisma.job.findUnique({ where: { id } }).catch(() => null);
    if (!row || !jobVisible(row, viewer)) throw notFound('Job', id);
    return row as JobRow;
  }

  async list(args: {
    kind?: JobKind | null;
    status?: JobStatus | null;
    first: number;
    after?: string | null;
    includeChildren?: boolean;
    viewer: JobViewer;
  }): Promise<JobPage> {
    const scope = args.viewer.scope;
    const where: Prisma.JobWhereInput = {
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.status ? { status: args.status } : {}),
      ...(args.includeChildren ? {} : { parentId: null }),
      ...(scope.kind === 'projects'
        ? { OR: [{ projectId: { in: [...scope.projectIds] } }, ...(args.viewer.userId ? [{ requestedById: args.viewer.userId }] : [])] }
        : {}),
    };
    // Newest first: what a dashboard shows.
    const cursorWhere: Prisma.JobWhereInput = args.after
      ? (() => {
          const key = decodeCursor(args.after);
          return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
        })()
      : {};
    const [rows, totalCount] = await Promise.all([
      this.db.prisma.job.findMany({
        where: { AND: [where, cursorWhere] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: args.first + 1,
      }),
      this.db.prisma.job.count({ where }),
    ]);
    const nodes = rows.slice(0, args.first) as JobRow[];
    return {
      nodes,
      cursors: nodes.map(encodeCursor),
      totalCount,
      hasNextPage: rows.length > args.first,
      hasPreviousPage: Boolean(args.after),
    };
  }
}

export interface JobViewer {
  readonly userId: string | null;
  readonly scope: ProjectScope;
}

export function jobVisible(row: { projectId: string | null; requestedById: string | null }, viewer: JobViewer): boolean {
  if (viewer.scope.kind === 'all') return true;
  if (viewer.userId !== null && row.requestedById === viewer.userId) return true;
  return row.projectId !== null && viewer.scope.projectIds.includes(row.projectId);
}
