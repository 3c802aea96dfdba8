// The `spinegraph` command line: one subcommand per capability, each wiring config + library calls.
// Start-up cost matters here (`spinegraph --help` should answer at once): this file and the command declarations
// load commander only; configuration (zod), logging (pino) and everything a command runs are imported when the
// command runs (cli/context.ts, cli/*.command.ts).
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { SPINEGRAPH_VERSION } from './version.js';
import { registerCommands } from './cli/commands.js';
import { cliContext } from './cli/context.js';

const program = new Command('spinegraph').version(SPINEGRAPH_VERSION).description('Lumbar spine MRI research backend').showHelpAfterError();
program.addOption(new Option('--log-level <level>', 'log level').env('LOG_LEVEL'));
registerCommands(program, cliContext());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const { ConfigError } = await import('./config.js');
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`spinegraph: ${message}\n`);
  process.exit(1);
}
