import type { JobStarts } from '../services/job-starts.js';
import type { JobService } from '../services/jobs.service.js';
import type { AppPubSub } from './pubsub.js';

/** Long-lived use cases shared by every request of a server process. */
export interface AppServices {
  readonly pubSub: AppPubSub;
  readonly jobs: JobService;
  /** The use cases that start jobs (import, inference, training). */
  readonly starts: JobStarts;
}
