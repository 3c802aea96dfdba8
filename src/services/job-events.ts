import type { AppPubSub } from '../api/pubsub.js';
import { TOPICS } from '../api/pubsub.js';
import type { JobProgressMessage } from '../domain/job.js';

/** Where job changes go: the GraphQL pub/sub (Redis-backed across processes), published once per change. */
export interface JobEventSink {
  progress(message: JobProgressMessage): void;
  statusChanged(message: JobProgressMessage): void;
}

export function pubSubJobEvents(pubSub: AppPubSub): JobEventSink {
  return {
    progress(message) {
      pubSub.publish(TOPICS.JOB_PROGRESS, message.jobId, message);
    },
    statusChanged(message) {
      pubSub.publish(TOPICS.JOB_PROGRESS, message.jobId, message);
      pubSub.publish(TOPICS.JOB_UPDATED, message);
    },
  };
}

export const NO_JOB_EVENTS: JobEventSink = { progress: () => undefined, statusChanged: () => undefined };
