import { Option, type Command } from 'commander';
import type { CliContext } from './context.js';
import type { ProjectRole } from '../auth/viewer.js';

/**
 * Administration from the server's shell, where whoever can run it already holds the database: the way an
 * OIDC-only deployment (no JWT_SECRET, no `spinegraph token`) names its first administrator, who then manages
 * memberships over the API and the dashboard.
 */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const admin = program.command('admin').description('administration from the server (no token needed)');
  admin
    .command('grant')
    .description('make a person a system administrator (no --project), or set their role in a project')
    .requiredOption('--email <email>', 'the person (the account is created when missing; their OIDC login links to it)')
    .addOption(new Option('--role <role>', 'role to set').choices(['admin', 'researcher', 'viewer']).makeOptionMandatory())
    .option('--project <name>', 'project by name or id (must exist); without it --role admin makes a system administrator')
    .action(async (opts: { email: string; role: string; project?: string }) => {
      const { grantFromServer } = await import('../services/administration.service.js');
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const db = await openReadyDatabase((await ctx.config()).database);
      try {
        const { user, membership } = await grantFromServer(db, {
          email: opts.email,
          role: opts.role.toUpperCase() as ProjectRole,
          project: opts.project,
        });
        process.stdout.write(
          membership
            ? `${user.email} is now ${membership.role.toLowerCase()} in project "${membership.project.name}"\n`
            : `${user.email} is now a system administrator (every project, memberships, the audit log)\n`,
        );
      } finally {
        await db.close();
      }
    });
}
