// In-process mode: jobs run inside the API process, without Redis, through the same Job rows, the same handlers
// (job-handlers.ts), the same attempt logic (job-runner.ts) and so the same subscription events as with BullMQ.
// One job at a time per kind, as a worker with concurrency 1 serves each queue; cohort flows run their children
// first and the parent (aggregation) after the last one, whatever its outcome. The embedded database is this
// process's alone (db/embedded-lock.ts), so rows left QUEUED or RUNNING by a previous run are this runner's to resume.
import type { Database } from '../db/client.js';
import type { JobKind, JobRole } from '../domain/job.js';
import { JOB_KINDS, TERMINAL_STATUSES } from '../domain/job.js';
import type { Logger } from '../logger.js';
import type { JobStore } from '../services/job-store.js';
import type { JobQueuePort } from '../services/jobs.service.js';
import { ATTEMPTS } from './job-queues.js';
import { executeJobAttempt, type ChildOutcomes, type JobHandlerMap } from './job-runner.js';

interface Entry {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly attempt: number;
  readonly parentId: string | null;
  /** A flow parent runs once (as BullMQ's flow parents do); other jobs retry per kind (job-queues.ts). */
  readonly role: JobRole;
}

interface Flow {
  readonly kind: JobKind;
  readonly pending: Set<string>;
  readonly completed: Map<string, unknown>;
  readonly failed: Map<string, string>;
}

export interface InProcessRunnerOptions {
  readonly db: Database;
  readonly store: JobStore;
  readonly handlers: JobHandlerMap;
  readonly logger: Logger;
  /** Delay before attempt n+1 is base * 2^(n-1) ms (BullMQ's exponential backoff); 1000 as with BullMQ. */
  readonly backoffMs?: number;
  /** Wait before trying again when the database did not answer (the job stays queued). */
  readonly outageRetryMs?: number;
}

export class InProcessJobRunner implements JobQueuePort {
  private readonly waiting = new Map<JobKind, Entry[]>(JOB_KINDS.map((k) => [k, []]));
  private readonly busy = new Set<JobKind>();
  private readonly running = new Map<string, AbortController>();
  private readonly runs = new Set<Promise<void>>();
  private readonly flows = new Map<string, Flow>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: InProcessRunnerOptions) {}

  async assertAvailable(): Promise<void> {
    // Nothing to reach: the runner is this process.
  }

  async add(kind: JobKind, jobId: string): Promise<void> {
    this.enqueue({ jobId, kind, attempt: 1, parentId: null, role: 'single' });
  }

  async addFlow(kind: JobKind, parentId: string, childIds: readonly string[]): Promise<void> {
    this.flows.set(parentId, { kind, pending: new Set(childIds), completed: new Map(), failed: new Map() });
    for (const id of childIds) this.enqueue({ jobId: id, kind, attempt: 1, parentId, role: 'child' }, false);
    this.pump(kind);
  }

  async removeIfWaiting(kind: JobKind, jobId: string): Promise<boolean> {
    if (this.running.has(jobId)) return false;
    const flow = this.flows.get(jobId);
    if (flow) {
      // A parent still waiting for children goes with the children nobody runs yet (BullMQ's removeChildren).
      this.flows.delete(jobId);
      this.waiting.set(
        kind,
        (this.waiting.get(kind) ?? []).filter((e) => e.jobId !== jobId && !flow.pending.has(e.jobId)),
      );
      return true;
    }
    const queue = this.waiting.get(kind) ?? [];
    const entry = queue.find((e) => e.jobId === jobId);
    if (!entry) return false;
    this.waiting.set(
      kind,
      queue.filter((e) => e !== entry),
    );
    if (entry.parentId) this.childFinished(entry.parentId, jobId, { failed: 'cancelled' });
    return true;
  }

  async requestCancel(jobId: string): Promise<void> {
    this.running.get(jobId)?.abort(new Error('cancelled by request'));
  }

  /** Queues again what a previous run of this process left QUEUED or RUNNING (it stopped or was killed). */
  async resume(): Promise<number> {
    const rows = await this.options.db.prisma.job.findMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] } },
      orderBy: { createdAt: 'asc' },
      select: { id: true, kind: true, parentId: true, attempts: true },
    });
    const parents = new Set(rows.map((r) => r.parentId).filter((p): p is string => p !== null));
    for (const parentId of parents) {
      const children = await this.options.store.children(parentId);
      const parent = await this.options.store.get(parentId);
      const flow: Flow = { kind: parent.kind, pending: new Set(), completed: new Map(), failed: new Map() };
      for (const c of children) {
        if (!TERMINAL_STATUSES.includes(c.status)) flow.pending.add(c.id);
        else if (c.status === 'COMPLETED') flow.completed.set(c.id, c.result);
        else flow.failed.set(c.id, c.errorMessage ?? c.status);
      }
      this.flows.set(parentId, flow);
    }
    for (const r of rows) {
      if (parents.has(r.id)) continue; // runs when its children are done
      const attempt = Math.max(1, r.attempts + (r.attempts > 0 ? 1 : 0));
      this.enqueue({ jobId: r.id, kind: r.kind, attempt, parentId: r.parentId, role: r.parentId ? 'child' : 'single' }, false);
    }
    for (const kind of JOB_KINDS) this.pump(kind);
    if (rows.length) this.options.logger.info({ jobs: rows.length }, 'in-process jobs resumed');
    return rows.length;
  }

  /** Resolves when nothing is queued or running (tests, the demo's batch part). */
  async idle(): Promise<void> {
    while (this.runs.size > 0 || [...this.waiting.values()].some((q) => q.length > 0) || this.timers.size > 0) {
      await Promise.race([...this.runs, new Promise((r) => setTimeout(r, 50))]);
    }
  }

  /** Takes no new work and waits for running jobs (a SIGTERM's grace period bounds it); queued rows resume at next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.runs]);
  }

  private enqueue(entry: Entry, pump = true): void {
    if (this.closed) return;
    this.waiting.get(entry.kind)?.push(entry);
    if (pump) this.pump(entry.kind);
  }

  private later(ms: number, entry: Entry): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(entry);
    }, ms);
    this.timers.add(timer);
  }

  private pump(kind: JobKind): void {
    if (this.closed || this.busy.has(kind)) return;
    const entry = this.waiting.get(kind)?.shift();
    if (!entry) return;
    this.busy.add(kind);
    const run = this.run(entry).finally(() => {
      this.runs.delete(run);
      this.busy.delete(kind);
      this.pump(kind);
    });
    this.runs.add(run);
  }

  private async run(entry: Entry): Promise<void> {
    const { store, handlers, logger } = this.options;
    const controller = new AbortController();
    this.running.set(entry.jobId, controller);
    try {
      const flow = this.flows.get(entry.jobId);
      const outcome = await executeJobAttempt(store, handlers[entry.kind], logger, {
        jobId: entry.jobId,
        kind: entry.kind,
        role: entry.role,
        attempt: entry.attempt,
        maxAttempts: entry.role === 'parent' ? 1 : ATTEMPTS[entry.kind],
        signal: controller.signal,
        childOutcomes: async (): Promise<ChildOutcomes> => ({ completed: flow?.completed ?? new Map(), failed: flow?.failed ?? new Map() }),
      });
      if (outcome.kind === 'retry') {
        this.later((this.options.backoffMs ?? 1000) * 2 ** (entry.attempt - 1), { ...entry, attempt: entry.attempt + 1 });
        return;
      }
      this.flows.delete(entry.jobId);
      if (entry.parentId) {
        if (outcome.kind === 'completed') this.childFinished(entry.parentId, entry.jobId, { result: outcome.result });
        else this.childFinished(entry.parentId, entry.jobId, { failed: outcome.kind === 'failed' ? outcome.message : outcome.kind });
      }
    } catch (e) {
      // The Job row could not be read or written (the database is away): the job waits and runs later, never lost.
      logger.warn({ jobId: entry.jobId, err: e instanceof Error ? e.message : String(e) }, 'job could not run; retrying later');
      this.later(this.options.outageRetryMs ?? 2000, entry);
    } finally {
      this.running.delete(entry.jobId);
    }
  }

  private childFinished(parentId: string, childId: string, outcome: { result?: unknown; failed?: string }): void {
    const flow = this.flows.get(parentId);
    if (!flow || !flow.pending.delete(childId)) return;
    if (outcome.failed !== undefined) flow.failed.set(childId, outcome.failed);
    else flow.completed.set(childId, outcome.result);
    if (flow.pending.size === 0) this.startParent(parentId, flow);
  }

  private startParent(parentId: string, flow: Flow): void {
    this.enqueue({ jobId: parentId, kind: flow.kind, attempt: 1, parentId: null, role: 'parent' });
  }
}
