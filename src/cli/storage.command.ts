import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { RelocateResult } from '../services/storage/relocate.js';

/** What a relocation did, in counts alone: the paths themselves may name patients. */
export function relocationSummary(r: RelocateResult): string {
  if (r.absolute === 0) return 'instance locations: none absolute (all relative to a data root)\n';
  return (
    `instance locations: ${r.absolute} absolute made relative to a data root ` +
    `(${r.underConfiguredRoots} under configured roots, ${r.underRegisteredRoots} under registered roots; ` +
    `${r.rootsRegistered} root(s) registered)\n`
  );
}

export function registerStorageCommands(program: Command, ctx: CliContext): void {
  const storage = program.command('storage').description('where instance files are stored (docs/storage.md)');
  storage
    .command('relocate')
    .description('rewrite absolute file:// instance locations as root://<name>/<path> (spinegraph db migrate runs it too)')
    .action(async () => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { relocateStorageUris } = await import('../services/storage/relocate.js');
      const db = await openReadyDatabase(config.database);
      try {
        process.stdout.write(relocationSummary(await relocateStorageUris(db)));
      } finally {
        await db.close();
      }
    });
  storage
    .command('roots')
    .description('list the data roots registered by imports of folders under no configured root: name, instances')
    .option('--paths', "also print each root's folder (it may name a patient: for the operator's eyes only)")
    .action(async (opts: { paths?: boolean }) => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { registeredRootUsage } = await import('../services/storage/registered-roots.js');
      const db = await openReadyDatabase(config.database);
      try {
        const roots = await registeredRootUsage(db);
        if (roots.length === 0) process.stdout.write('no registered data roots\n');
        for (const r of roots) process.stdout.write(`${r.name}\t${r.instances} instance(s)${opts.paths ? `\t${r.path}` : ''}\n`);
      } finally {
        await db.close();
      }
    });
  storage
    .command('move-root')
    .description('point a registered data root at the folder its files were moved to')
    .argument('<name>', 'the root (spinegraph storage roots)')
    .argument('<folder>', 'its new folder')
    .action(async (name: string, folder: string) => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { moveRegisteredRoot } = await import('../services/storage/registered-roots.js');
      const real = await realpath(resolve(folder)).catch(() => null);
      if (real === null) throw new Error(`the folder given for ${name} does not exist`);
      const db = await openReadyDatabase(config.database);
      try {
        if (!(await moveRegisteredRoot(db, name, real))) throw new Error(`no registered data root is named "${name}"`);
        process.stdout.write(`${name} moved; restart the API and workers to read from there\n`);
      } finally {
        await db.close();
      }
    });
}
