// Starting, cancelling and listing jobs. The Job row is written first (the record), then the queue entry; every
// row is written through JobStore, so each change is announced once. Parameters are typed by kind and checked
// against the job contract (job-contract.ts) before they are stored.
import type { Prisma } from '../db/generated/client.js';
import { AppError, badInput, notFound, unavailable } from '../domain/errors.js';
import type { JobKind, JobStatus } from '../domain/job.js';
import { TERMINAL_STATUSES } from '../domain/job.js';
import type { ProjectScope } from '../domain/study-filter.js';
import { isUuid } from '../domain/ids.js';
import { requireRole, requireSystemAdmin } from '../auth/permissions.js';
import type { Viewer } from '../auth/viewer.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { checkJobParams, type FlowKind, type JobParamsInput, type ParentParamsInput } from './job-contract.js';
import type { JobOrigin, JobRow, JobStore } from './job-store.js';

export type { JobOrigin };

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

export interface JobPage {
  readonly nodes: JobRow[];
  readonly cursors: string[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

/** Parameters are stored as the caller gave them (defaults are applied when the handler reads them). */
const asJson = (params: unknown): Prisma.InputJsonValue => params as Prisma.InputJsonValue;

export class JobService {
  constructor(
    private readonly store: JobStore,
    private readonly queues: JobQueuePort | null,
  ) {}

  private requireQueues(): JobQueuePort {
    if (!this.queues) throw unavailable('This server runs without a job queue (embedded mode); start it with Redis to run jobs');
    return this.queues;
  }

  async start<K extends JobKind>(kind: K, params: JobParamsInput<K>, origin: JobOrigin): Promise<JobRow> {
    checkJobParams(kind, 'single', params);
    const queues = this.requireQueues();
    await queues.assertAvailable();
    const row = await this.store.create({ kind, params: asJson(params), ...origin });
    try {
      await queues.add(kind, row.id);
    } catch (e) {
      await this.store.fail(row.id, 'SERVICE_UNAVAILABLE', 'The job could not be queued');
      throw unavailable('The job queue (Redis) is not reachable; try again shortly', e);
    }
    return row;
  }

  /** One parent job with a child per item (e.g. per study); the parent aggregates when all children finish. */
  async startFlow<K extends FlowKind>(
    kind: K,
    params: ParentParamsInput<K>,
    childParams: readonly JobParamsInput<K>[],
    origin: JobOrigin,
  ): Promise<JobRow> {
    if (childParams.length === 0) throw badInput('Nothing to do: the selection is empty');
    checkJobParams(kind, 'parent', params);
    for (const p of childParams) checkJobParams(kind, 'child', p);
    const queues = this.requireQueues();
    await queues.assertAvailable();
    const parent = await this.store.create({ kind, params: asJson(params), ...origin });
    let children: JobRow[] = [];
    try {
      children = await this.store.createChildren(parent, childParams.map(asJson), origin);
      await queues.addFlow(
        kind,
        parent.id,
        children.map((c) => c.id),
      );
    } catch (e) {
      await this.store.fail(parent.id, 'SERVICE_UNAVAILABLE', 'The job could not be queued');
      if (children.length) await this.store.failChildren(parent.id, 'SERVICE_UNAVAILABLE');
      throw e instanceof AppError ? e : unavailable('The job queue (Redis) is not reachable; try again shortly', e);
    }
    return parent;
  }

  /** The cancelJob use case: whoever started a job may cancel it; otherwise a researcher of its project (or an administrator). */
  async cancelAs(id: string, viewer: Viewer): Promise<JobRow> {
    const job = await this.get(id, viewer);
    if (job.requestedById === null || job.requestedById !== viewer.userId) {
      if (job.projectId) requireRole(viewer, job.projectId, 'RESEARCHER');
      else requireSystemAdmin(viewer);
    }
    return this.cancel(id);
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

  /** A job the viewer may see (its project is visible, or they asked for it); null for anything else. */
  async find(id: string, viewer: JobViewer): Promise<JobRow | null> {
    const row = isUuid(id) ? await this.store.find(id) : null;
    return row && jobVisible(row, viewer) ? row : null;
  }

  /** As `find`, but a job the viewer may not see reads as NOT_FOUND. */
  async get(id: string, viewer: JobViewer): Promise<JobRow> {
    const row = await this.find(id, viewer);
    if (!row) throw notFound('Job', id);
    return row;
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
    const { rows, totalCount } = await this.store.list({
      where,
      after: args.after ? decodeCursor(args.after) : null,
      first: args.first,
    });
    const nodes = rows.slice(0, args.first);
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
