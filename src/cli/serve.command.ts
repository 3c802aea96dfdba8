import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the GraphQL API (HTTP + WebSocket on one port)')
    .action(async () => {
      const { onShutdownSignal } = await import('../runtime/shutdown.js');
      const { serve } = await import('../server.js');
      const config = await ctx.config();
      const logger = await ctx.logger();
      const server = await serve({ config, logger });
      onShutdownSignal(logger, () => server.stop());
    });
}
