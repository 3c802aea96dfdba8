// jobProgress: the job's current state first, then every change, ending after a terminal state.
import type { JobProgressMessage } from '../domain/job.js';
import { TERMINAL_STATUSES } from '../domain/job.js';
import { toMessage } from '../services/job-store.js';
import type { RequestContext } from './context.js';
import { TOPICS } from './pubsub.js';

export async function* jobProgressStream(ctx: RequestContext, jobId: string): AsyncGenerator<JobProgressMessage> {
  // Subscribe before reading the row, so no change between the read and the subscription is lost.
  const events = ctx.services.pubSub.subscribe(TOPICS.JOB_PROGRESS, jobId);
  const iterator = events[Symbol.asyncIterator]();
  try {
    const row = await ctx.services.jobs.get(jobId, ctx.viewer.scope);
    yield toMessage(row);
    if (TERMINAL_STATUSES.includes(row.status)) return;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
      if (TERMINAL_STATUSES.includes(next.value.status)) return;
    }
  } finally {
    await iterator.return?.();
  }
}
