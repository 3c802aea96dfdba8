// Keeps Job rows honest when the queue and the record disagree. BullMQ holds its jobs only in Redis: a Redis that
// restarts without its data (or is flushed) forgets them, and their rows would say QUEUED or RUNNING forever. And a
// job that stalls more often than BullMQ allows is failed by BullMQ itself, without our processor ever writing the
// row. Workers run this on an interval; every correction is conditional, so several workers may run it at once.
import type { Database } from '../db/client.js';
import type { JobKind } from '../domain/job.js';
import type { Logger } from '../logger.js';
import type { JobStore } from '../services/job-store.js';
import type { JobQueues } from './job-queues.js';

export const JOB_LOST_CODE = 'JOB_LOST';
export const JOB_STALLED_CODE = 'JOB_STALLED';

export interface ReconcileOptions {
  /**
   * Rows younger than this are left alone: a job's row is written before its queue entry (jobs.service), so a row
   * seen between the two has no entry yet and is not lost.
   */
  readonly graceMs: number;
}

export interface ReconcileResult {
  /** Failed with JOB_LOST: the queue had no entry for them. */
  readonly lost: string[];
  /** Failed with JOB_STALLED: BullMQ had failed them (they stalled more often than it allows). */
  readonly stalled: string[];
}

export async function reconcileJobs(db: Database, store: JobStore, queues: JobQueues, options: ReconcileOptions): Promise<ReconcileResult> {
  const rows = await db.sql.query<{ id: string; kind: JobKind; status: string; attempts: number; ageS: number }>(
    `SELECT id, kind::text AS kind, status::text AS status, attempts, extract(epoch FROM now() - "createdAt")::float8 AS "ageS" FROM "Job"
     WHERE status IN ('QUEUED', 'RUNNING') AND "createdAt" < now() - make_interval(secs => $1::float8 / 1000)
     ORDER BY "createdAt"`,
    [options.graceMs],
  );
  const result: ReconcileResult = { lost: [], stalled: [] };
  for (const row of rows) {
    const entry = await queues.entryOf(row.kind, row.id);
    if (entry.state === 'missing') {
      const failed = await store.failIfUnfinished(row.id, JOB_LOST_CODE, lostMessage(row));
      if (failed) result.lost.push(row.id);
    } else if (entry.state === 'failed') {
      const failed = await store.failIfUnfinished(row.id, JOB_STALLED_CODE, `The job queue failed this job: ${entry.failedReason}`);
      if (failed) result.stalled.push(row.id);
    }
  }
  return result;
}

/**
 * What is known about a lost job, and no more: the queue has no entry for a row still QUEUED or RUNNING. Whether the
 * entry was never added (the API stopped between writing the row and queueing it) or was lost (Redis restarted
 * without its data, or was flushed) cannot be told apart from here, so the message names both.
 */
export function lostMessage(row: { status: string; attempts: number; ageS: number }): string {
  const started = row.attempts > 0 ? `it had started ${row.attempts} attempt(s)` : 'no attempt had started';
  return (
    `The job queue holds no entry for this job, still ${row.status} ${Math.round(row.ageS)} s after it was created (${started}): ` +
    'either it was never queued (the API stopped before queueing it) or its entry was lost (Redis restarted without its data); start it again'
  );
}

export interface JobReconciler {
  stop(): Promise<void>;
}

/** Reconciles now, then every `intervalMs`; a round that fails (Redis or PostgreSQL away) is logged and retried. */
export function startJobReconciler(options: {
  readonly db: Database;
  readonly store: JobStore;
  readonly queues: JobQueues;
  readonly intervalMs: number;
  readonly graceMs: number;
  readonly logger: Logger;
}): JobReconciler {
  let running: Promise<void> | undefined;
  const round = (): void => {
    if (running) return;
    running = reconcileJobs(options.db, options.store, options.queues, { graceMs: options.graceMs })
      .then((r) => {
        if (r.lost.length || r.stalled.length)
          options.logger.warn({ lost: r.lost, stalled: r.stalled }, 'job rows reconciled with the queue');
      })
      .catch((e: unknown) =>
        options.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'job reconciliation failed; will retry'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  round();
  const timer = setInterval(round, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
