import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerDbCommands(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database');
  db.command('migrate')
    .description('apply the committed migrations (PostgreSQL or the embedded database), recorded as Prisma does')
    .action(async () => {
      const config = await ctx.config();
      const { migrateDatabase } = await import('../db/migrate-database.js');
      const result = await migrateDatabase(config.database);
      const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded database at ${config.database.dir}`;
      process.stdout.write(
        result.applied.length
          ? `applied ${result.applied.length} migration(s) to ${where}: ${result.applied.join(', ')}\n`
          : `${where} is up to date (${result.alreadyApplied.length} migration(s))\n`,
      );
    });
}
