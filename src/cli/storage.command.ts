import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerStorageCommands(program: Command, ctx: CliContext): void {
  const storage = program.command('storage').description('where instance files are stored (docs/storage.md)');
  storage
    .command('relocate')
    .description('rewrite absolute file:// instance locations under a configured data root as root://<name>/<path>')
    .action(async () => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { relocateStorageUris } = await import('../services/storage/relocate.js');
      const db = await openReadyDatabase(config.database);
      try {
        const r = await relocateStorageUris(db);
        // Counts only: the paths themselves may name patients.
        process.stdout.write(
          `${r.relocated} of ${r.absolute} absolute instance location(s) made relative to a data root` +
            (r.outsideRoots ? `; ${r.outsideRoots} lie under no configured root (DATA_ROOTS) and were left as they are\n` : '\n'),
        );
      } finally {
        await db.close();
      }
    });
}
