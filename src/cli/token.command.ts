import { Option, type Command } from 'commander';
import type { CliContext } from './context.js';
import type { ProjectRole } from '../auth/viewer.js';

interface TokenOptions {
  user: string;
  role: 'admin' | 'researcher' | 'viewer';
  project: string;
  ttl: string;
  systemAdmin?: boolean;
  json?: boolean;
}

export function registerTokenCommand(program: Command, ctx: CliContext): void {
  program
    .command('token')
    .description('mint a local HS256 token (JWT_SECRET), creating the user, the project and the membership it names')
    .requiredOption('--user <email>', 'the user, by email (created when missing)')
    .addOption(
      new Option('--role <role>', 'role in the project (set to exactly this)').choices(['admin', 'researcher', 'viewer']).default('viewer'),
    )
    .option('--project <name>', 'project (created when missing)', 'default')
    .option('--ttl <duration>', 'lifetime: 90s, 30m, 8h, 7d (at most 30d)', '8h')
    .option('--system-admin', 'also make the user a system administrator (every project, users, audit log)')
    .option('--json', 'print token, expiry, user and membership as JSON')
    .action(async (opts: TokenOptions) => {
      const { checkTtl, mintLocalToken, parseTtl } = await import('../auth/mint-token.js');
      const { membershipsOf, normaliseEmail, provisionMembership } = await import('../services/provision-user.js');
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const config = await ctx.config();
      if (!config.auth.secret) throw new Error('JWT_SECRET is not set: local tokens are signed with it (at least 32 characters)');
      // Everything that can be refused is checked before the database is touched.
      const ttlSeconds = checkTtl(parseTtl(opts.ttl));
      normaliseEmail(opts.user);
      const db = await openReadyDatabase(config.database);
      try {
        const role = opts.role.toUpperCase() as ProjectRole;
        const provisioned = await provisionMembership(db, {
          email: opts.user,
          projectName: opts.project,
          role,
          systemAdmin: opts.systemAdmin,
        });
        const memberships = await membershipsOf(db, provisioned.user.id);
        const { token, expiresAt } = await mintLocalToken(config.auth, {
          userId: provisioned.user.id,
          email: provisioned.user.email,
          admin: provisioned.user.isAdmin,
          memberships,
          ttlSeconds,
        });
        if (opts.json) {
          const summary = {
            token,
            expiresAt: expiresAt.toISOString(),
            userId: provisioned.user.id,
            email: provisioned.user.email,
            isAdmin: provisioned.user.isAdmin,
            memberships,
          };
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        } else {
          // The token alone on stdout, so `TOKEN=$(spinegraph token ...)` works; the explanation goes to stderr.
          process.stdout.write(`${token}\n`);
          process.stderr.write(
            `token for ${provisioned.user.email}: ${opts.role} in project "${provisioned.project.name}"` +
              `${provisioned.user.isAdmin ? ', system administrator' : ''}; expires ${expiresAt.toISOString()}\n`,
          );
        }
        if (config.auth.mode === 'off') process.stderr.write('note: AUTH_MODE=off, so the API ignores tokens until AUTH_MODE=jwt\n');
      } finally {
        await db.close();
      }
    });
}
