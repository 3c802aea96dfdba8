// jobProgress: the job's current state first, then every change, ending after a terminal state.
import type { JobProgressMessage } from '../domain/job.js';
import { TERMINAL_STATUSES } from '../domain/job.js';
import { toMessage } from '../services/job-store.js';
import type { RequestContext } from './context.js';
import { TOPICS } from './pubsub.js';

const sameState = (a: JobProgressMessage, b: JobProgressMessage): boolean =>
  a.status === b.status && a.progress === b.progress && a.stage === b.stage && a.message === b.message;

export async function* jobProgressStream(ctx: RequestContext, jobId: string): AsyncGenerator<JobProgressMessage> {
  // Subscribe before reading the row, so no change between the read and the subscription is lost. The pub/sub's
  // iterator is lazy (it registers its listener on the first next()), so that first next() is started here.
  const events = ctx.services.pubSub.subscribe(TOPICS.JOB_PROGRESS, jobId);
  const iterator = events[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    const row = await ctx.services.jobs.get(jobId, ctx.viewer);
    const snapshot = toMessage(row);
    yield snapshot;
    if (TERMINAL_STATUSES.includes(row.status)) return;
    let caughtUp = false;
    while (true) {
      const next = await pending;
      if (next.done) return;
      pending = iterator.next();
      // A change that landed between subscribing and reading the row is already in the first message.
      if (!caughtUp && sameState(next.value, snapshot)) continue;
      caughtUp = true;
      yield next.value;
      if (TERMINAL_STATUSES.includes(next.value.status)) return;
    }
  } finally {
    await iterator.return?.();
  }
}
