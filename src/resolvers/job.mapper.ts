import type { JobProgressMessage, JobSnapshot } from '../domain/job.js';
import type { JobRow } from '../services/job-store.js';
import type { Job, JobProgressEvent } from '../schema/job.type.js';

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? row.errorCode } : null,
    result: row.result ?? null,
    params: row.params,
    attempts: row.attempts,
    parentId: row.parentId,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** The row a status-change event carries (across processes as JSON, so its dates arrive as strings). */
export function toJobFromSnapshot(job: JobSnapshot): Job {
  const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));
  return toJob({ ...job, createdAt: new Date(job.createdAt), startedAt: date(job.startedAt), finishedAt: date(job.finishedAt) });
}

export function toProgressEvent(message: JobProgressMessage): JobProgressEvent {
  // Across processes events travel as JSON, so `at` arrives as a string.
  return {
    jobId: message.jobId,
    status: message.status,
    progress: message.progress,
    stage: message.stage,
    message: message.message,
    at: new Date(message.at),
  };
}
