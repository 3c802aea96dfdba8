import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { migrateOpenDatabase } from '../db/migrate-database.js';
import { createLogger } from '../logger.js';
import { onShutdownSignal } from '../runtime/shutdown.js';
import { serve } from '../server.js';

const EXAMPLE_QUERY = '{ version studies(first: 5) { totalCount edges { node { externalId series { type instanceCount } } } } }';

/** The newcomer's first command: everything on the embedded database, no servers needed. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the main job end to end on the embedded database, then serve the API')
    .option('--no-serve', 'stop after the pipeline instead of serving the API')
    .option('--port <n>', 'API port', '4000')
    .action(async (opts: { serve: boolean; port: string }) => {
      // The demo is local by construction: embedded database, no auth, loopback only.
      const config = loadConfig({ ...process.env, DATABASE_URL: undefined, AUTH_MODE: 'off', HOST: '127.0.0.1', PORT: opts.port, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
      const logger = createLogger(config.logLevel);
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      if (config.database.kind !== 'pglite') throw new Error('the demo runs on the embedded database');
      out(`spinegraph demo: embedded database at ${config.database.dir}`);
      const db = await openDatabase(config.database);
      const migrated = await migrateOpenDatabase(db);
      out(`  migrations: ${migrated.applied.length} applied, ${migrated.alreadyApplied.length} already in place`);
      if (!opts.serve) {
        await db.close();
        return;
      }
      const server = await serve({ config, logger, db, useRedis: false });
      out(`\nAPI: ${server.api.url}  (GraphQL over HTTP and WebSocket; Ctrl+C stops)`);
      out(`Try: curl -s ${server.api.url} -H 'content-type: application/json' -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`);
      onShutdownSignal(logger, async () => {
        await server.stop();
        await db.close();
      });
    });
}
