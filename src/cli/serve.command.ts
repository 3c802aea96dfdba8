import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { serve } from '../server.js';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the GraphQL API (HTTP + WebSocket on one port)')
    .action(async () => {
      const config = ctx.config();
      const logger = ctx.logger();
      const server = await serve({ config, logger });
      onShutdownSignal(logger, () => server.stop());
    });
}
