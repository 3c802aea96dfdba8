// The Job row is the record of every job; these are the only writes to it, each followed by one event (a status
// change carries the whole row, so subscribers never read it back).
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import { notFound } from '../domain/errors.js';
import type { JobKind, JobProgressMessage, JobSnapshot, JobStatus, JobUpdatedMessage } from '../domain/job.js';
import type { JobEventSink } from './job-events.js';

export interface JobRow {
  id: string;
  kind: JobKind;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  params: unknown;
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  projectId: string | null;
  modelSetId: string | null;
  parentId: string | null;
  requestedById: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewJob {
  readonly kind: JobKind;
  readonly params: Prisma.InputJsonValue;
  readonly projectId?: string | null;
  readonly modelSetId?: string | null;
  readonly parentId?: string | null;
  readonly requestedById?: string | null;
}

export function toMessage(
  row: Pick<JobRow, 'id' | 'kind' | 'status' | 'progress' | 'stage' | 'message' | 'projectId' | 'requestedById'>,
  at = new Date(),
): JobProgressMessage {
  return {
    jobId: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    at: at.toISOString(),
    projectId: row.projectId,
    requestedById: row.requestedById,
  };
}

export function toSnapshot(row: JobRow): JobSnapshot {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export function toUpdatedMessage(row: JobRow, at = new Date()): JobUpdatedMessage {
  return { ...toMessage(row, at), job: toSnapshot(row) };
}

/** Who started a job and for which project and model set; children inherit their parent's. */
export interface JobOrigin {
  readonly projectId?: string | null;
  readonly modelSetId?: string | null;
  readonly requestedById?: string | null;
}

export interface JobListQuery {
  readonly where: Prisma.JobWhereInput;
  readonly after?: { readonly createdAt: Date; readonly id: string } | null;
  readonly first: number;
}

export class JobStore {
  constructor(
    private readonly db: Database,
    private readonly events: JobEventSink,
  ) {}

  async create(job: NewJob): Promise<JobRow> {
    const row = (await this.db.prisma.job.create({
      data: {
        kind: job.kind,
        params: job.params,
        projectId: job.projectId ?? null,
        modelSetId: job.modelSetId ?? null,
        parentId: job.parentId ?? null,
        requestedById: job.requestedById ?? null,
      },
    })) as JobRow;
    this.events.statusChanged(toUpdatedMessage(row));
    return row;
  }

  /** The children of a flow, one per item, each announced like any new job. */
  async createChildren(parent: JobRow, params: readonly Prisma.InputJsonValue[], origin: JobOrigin): Promise<JobRow[]> {
    const rows = (await this.db.prisma.job.createManyAndReturn({
      data: params.map((p) => ({
        kind: parent.kind,
        params: p,
        parentId: parent.id,
        projectId: origin.projectId ?? null,
        modelSetId: origin.modelSetId ?? null,
        requestedById: origin.requestedById ?? null,
      })),
    })) as JobRow[];
    for (const row of rows) this.events.statusChanged(toUpdatedMessage(row));
    return rows;
  }

  /** FAILED for every child of a parent that could not be queued. */
  async failChildren(parentId: string, code: string): Promise<JobRow[]> {
    const rows = (await this.db.prisma.job.updateManyAndReturn({
      where: { parentId },
      data: { status: 'FAILED', errorCode: code, finishedAt: new Date() },
    })) as JobRow[];
    for (const row of rows) this.events.statusChanged(toUpdatedMessage(row));
    return rows;
  }

  /** The row, or null when there is none; a database error stays a database error. */
  async find(id: string): Promise<JobRow | null> {
    return (await this.db.prisma.job.findUnique({ where: { id } })) as JobRow | null;
  }

  async get(id: string): Promise<JobRow> {
    const row = await this.find(id);
    if (!row) throw notFound('Job', id);
    return row;
  }

  /** Newest first (what a dashboard shows), `first + 1` rows so the caller knows whether more follow. */
  async list(query: JobListQuery): Promise<{ rows: JobRow[]; totalCount: number }> {
    const cursorWhere: Prisma.JobWhereInput = query.after
      ? { OR: [{ createdAt: { lt: query.after.createdAt } }, { createdAt: query.after.createdAt, id: { lt: query.after.id } }] }
      : {};
    const [rows, totalCount] = await Promise.all([
      this.db.prisma.job.findMany({
        where: { AND: [query.where, cursorWhere] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.first + 1,
      }),
      this.db.prisma.job.count({ where: query.where }),
    ]);
    return { rows: rows as JobRow[], totalCount };
  }

  async markRunning(id: string, attempt: number): Promise<JobRow> {
    return this.update(
      id,
      { status: 'RUNNING', attempts: attempt, startedAt: new Date(), finishedAt: null, errorCode: null, errorMessage: null, message: null },
      true,
    );
  }

  async progress(id: string, update: { progress: number; stage?: string; message?: string }): Promise<JobRow> {
    const progress = Math.min(1, Math.max(0, update.progress));
    const row = (await this.db.prisma.job.update({
      where: { id },
      data: {
        progress,
        ...(update.stage !== undefined ? { stage: update.stage } : {}),
        ...(update.message !== undefined ? { message: update.message } : {}),
      },
    })) as JobRow;
    this.events.progress(toMessage(row));
    return row;
  }

  async complete(id: string, result: Prisma.InputJsonValue): Promise<JobRow> {
    return this.update(id, { status: 'COMPLETED', progress: 1, result, finishedAt: new Date(), message: 'done' }, true);
  }

  async willRetry(id: string, reason: string, attempt: number, maxAttempts: number): Promise<JobRow> {
    return this.update(id, { status: 'QUEUED', message: `attempt ${attempt} of ${maxAttempts} failed (${reason}); retrying` }, true);
  }

  async fail(id: string, code: string, message: string, result?: Prisma.InputJsonValue): Promise<JobRow> {
    return this.update(
      id,
      { status: 'FAILED', errorCode: code, errorMessage: message, finishedAt: new Date(), ...(result !== undefined ? { result } : {}) },
      true,
    );
  }

  async cancel(id: string, message = 'cancelled'): Promise<JobRow> {
    return this.update(
      id,
      { status: 'CANCELLED', errorCode: 'JOB_CANCELLED', errorMessage: message, finishedAt: new Date(), message },
      true,
    );
  }

  /**
   * FAILED, but only if the row is still QUEUED or RUNNING: for corrections made from outside the job's own run
   * (the reconciler), which must not overwrite an outcome a worker wrote a moment before. Null when it had finished.
   */
  async failIfUnfinished(id: string, code: string, message: string): Promise<JobRow | null> {
    const { count } = await this.db.prisma.job.updateMany({
      where: { id, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'FAILED', errorCode: code, errorMessage: message, message, finishedAt: new Date() },
    });
    if (count === 0) return null;
    const row = await this.get(id);
    this.events.statusChanged(toUpdatedMessage(row));
    return row;
  }

  async childCounts(parentId: string): Promise<{ finished: number; total: number }> {
    const groups = await this.db.prisma.job.groupBy({ by: ['status'], where: { parentId }, _count: { _all: true } });
    let finished = 0;
    let total = 0;
    for (const g of groups) {
      total += g._count._all;
      if (g.status === 'COMPLETED' || g.status === 'FAILED' || g.status === 'CANCELLED') finished += g._count._all;
    }
    return { finished, total };
  }

  async children(parentId: string): Promise<JobRow[]> {
    return (await this.db.prisma.job.findMany({ where: { parentId }, orderBy: { createdAt: 'asc' } })) as JobRow[];
  }

  private async update(id: string, data: Prisma.JobUpdateInput, statusChange: boolean): Promise<JobRow> {
    const row = (await this.db.prisma.job.update({ where: { id }, data })) as JobRow;
    if (statusChange) this.events.statusChanged(toUpdatedMessage(row));
    else this.events.progress(toMessage(row));
    return row;
  }
}
