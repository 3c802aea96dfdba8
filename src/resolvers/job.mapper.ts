import type { JobProgressMessage } from '../domain/job.js';
import type { JobRow } from '../services/job-store.js';
import type { JobKindEnum, JobStatusEnum } from '../schema/enums.js';
import type { Job, JobProgressEvent } from '../schema/job.type.js';

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind as JobKindEnum,
    status: row.status as JobStatusEnum,
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

export function toProgressEvent(message: JobProgressMessage): JobProgressEvent {
  // Across processes events travel as JSON, so `at` arrives as a string.
  return {
    jobId: message.jobId,
    status: message.status as JobStatusEnum,
    progress: message.progress,
    stage: message.stage,
    message: message.message,
    at: new Date(message.at),
  };
}
