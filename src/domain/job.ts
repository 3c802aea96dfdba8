export const JOB_KINDS = ['IMPORT', 'INFERENCE', 'TRAINING', 'QUANTIZE'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
/** A job on its own, the parent of a flow (runs after all its children), or one of the flow's children. */
export const JOB_ROLES = ['single', 'parent', 'child'] as const;
export type JobRole = (typeof JOB_ROLES)[number];

/** One progress event, as it travels between processes (JSON: `at` is an ISO string). */
export interface JobProgressMessage {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly progress: number;
  readonly stage: string | null;
  readonly message: string | null;
  readonly at: string;
  /** For scoping subscriptions: who may see this job. */
  readonly projectId: string | null;
  readonly requestedById: string | null;
}

/** A Job row as it travels between processes (JSON: dates are ISO strings). */
export interface JobSnapshot {
  readonly id: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  readonly progress: number;
  readonly stage: string | null;
  readonly message: string | null;
  readonly params: unknown;
  readonly result: unknown;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number;
  readonly projectId: string | null;
  readonly modelSetId: string | null;
  readonly parentId: string | null;
  readonly requestedById: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** A status change: the progress fields, and the whole row, so a subscriber needs no database read. */
export interface JobUpdatedMessage extends JobProgressMessage {
  readonly job: JobSnapshot;
}

/** Progress reporting handed to every job processor. */
export interface ProgressReporter {
  report(update: { progress: number; stage?: string; message?: string }): Promise<void>;
}
