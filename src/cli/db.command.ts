import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerDbCommands(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database');
  db.command('migrate')
    .description(
      'apply the committed migrations (PostgreSQL or the embedded database), recorded as Prisma does, then relocate absolute instance locations',
    )
    .action(async () => {
      const config = await ctx.config();
      const { openDatabase } = await import('../db/client.js');
      const { migrateOpenDatabase } = await import('../db/migrate-database.js');
      const { relocateStorageUris } = await import('../services/storage/relocate.js');
      const { relocationSummary } = await import('./storage.command.js');
      const db = await openDatabase(config.database);
      try {
        const result = await migrateOpenDatabase(db);
        const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded database at ${config.database.dir}`;
        process.stdout.write(
          result.applied.length
            ? `applied ${result.applied.length} migration(s) to ${where}: ${result.applied.join(', ')}\n`
            : `${where} is up to date (${result.alreadyApplied.length} migration(s))\n`,
        );
        // The data half of the upgrade to relative storage URIs (docs/storage.md): idempotent, counts only.
        process.stdout.write(relocationSummary(await relocateStorageUris(db)));
      } finally {
        await db.close();
      }
    });
}
