// The job-event port: what the job layer (JobStore, the worker's runner) announces, and under which topics. The
// implementation lives above (src/api/pubsub.ts: the GraphQL pub/sub, Redis-backed across processes); the
// entry points (worker.ts, server.ts) wire it in, so nothing below the API imports GraphQL or Redis for events.
import type { JobProgressMessage, JobUpdatedMessage } from '../domain/job.js';

/** Topic names and their payloads: JOB_PROGRESS is keyed by job id, JOB_UPDATED carries every status change. */
export const TOPICS = { JOB_PROGRESS: 'JOB_PROGRESS', JOB_UPDATED: 'JOB_UPDATED' } as const;

export type TopicMap = {
  [TOPICS.JOB_PROGRESS]: [string, JobProgressMessage];
  [TOPICS.JOB_UPDATED]: [JobUpdatedMessage];
};

/** Where job changes go, published once per change. */
export interface JobEventSink {
  progress(message: JobProgressMessage): void;
  /** A status change (created, running, retrying, finished): carries the whole row. */
  statusChanged(message: JobUpdatedMessage): void;
}

export const NO_JOB_EVENTS: JobEventSink = { progress: () => undefined, statusChanged: () => undefined };
