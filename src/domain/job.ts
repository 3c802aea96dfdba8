export const JOB_KINDS = ['IMPORT', 'INFERENCE', 'TRAINING'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

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

/** Progress reporting handed to every job processor. */
export interface ProgressReporter {
  report(update: { progress: number; stage?: string; message?: string }): Promise<void>;
}
