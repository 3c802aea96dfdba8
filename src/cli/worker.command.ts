import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { ALL_QUEUES, parseQueueList } from '../queue/queue-names.js';

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('serve BullMQ job queues')
    .option('--queues <list>', `comma-separated queues (${ALL_QUEUES.join(', ')})`, ALL_QUEUES.join(','))
    .option('--concurrency <n>', 'jobs at once per queue', '1')
    .action(async (opts: { queues: string; concurrency: string }) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`--concurrency must be a positive integer, got ${opts.concurrency}`);
      const { onShutdownSignal } = await import('../runtime/shutdown.js');
      const { runWorker } = await import('../worker.js');
      const config = await ctx.config();
      if (config.jobs.mode === 'in-process')
        throw new Error(
          'jobs run inside `spinegraph serve` here (JOB_MODE=in-process: the embedded database, no REDIS_URL); a worker process needs Redis and PostgreSQL: set REDIS_URL and DATABASE_URL',
        );
      const logger = await ctx.logger();
      const worker = await runWorker({ config, logger, queues: parseQueueList(opts.queues), concurrency });
      onShutdownSignal(logger, () => worker.stop());
    });
}
