// Bull Board at /admin/queues: the queues as BullMQ sees them, for operators (admins once auth is on).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler, Router } from 'express';
import type { JobQueues } from '../queue/job-queues.js';
import { ALL_QUEUES } from '../queue/queue-names.js';

export const ADMIN_QUEUES_PATH = '/admin/queues';

export function bullBoardRouter(queues: JobQueues): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: ALL_QUEUES.map((name) => new BullMQAdapter(queues.queue(name), { readOnlyMode: false })),
    serverAdapter: adapter,
  });
  return adapter.getRouter() as Router;
}

/** Mounts the board behind `guard` (which answers 401/403 itself when the caller may not see it). */
export function mountBullBoard(
  app: { use: (path: string, ...handlers: (RequestHandler | Router)[]) => unknown },
  queues: JobQueues,
  guard: RequestHandler,
): void {
  app.use(ADMIN_QUEUES_PATH, guard, bullBoardRouter(queues));
}
