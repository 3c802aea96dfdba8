import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerModelsCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('model sets');
  models
    .command('register')
    .description('validate a folder of ONNX models + manifests and register it as a model set (idempotent)')
    .argument('<dir>', 'folder with *.onnx and *.manifest.json')
    .option('--activate', 'make it the active set')
    .option('--name <name>', 'set name (default: model-set.json or the folder name)')
    .action(async (dir: string, opts: { activate?: boolean; name?: string }) => {
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { registerModelSet } = await import('../services/model-registry.service.js');
      const db = await openReadyDatabase((await await ctx.config()).database);
      try {
        const { set, created } = await registerModelSet(db, dir, {
          activate: opts.activate,
          name: opts.name,
          exactName: opts.name !== undefined,
        });
        process.stdout.write(
          `${created ? 'registered' : 'already registered'} model set "${set.name}" (${set.id})${set.isActive ? ', active' : ''}\n`,
        );
      } finally {
        await db.close();
      }
    });
  models
    .command('list')
    .description('list registered model sets')
    .action(async () => {
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { listModelSets } = await import('../services/model-registry.service.js');
      const db = await openReadyDatabase((await await ctx.config()).database);
      try {
        const sets = await listModelSets(db);
        if (sets.length === 0)
          process.stdout.write(
            'No model sets are registered yet. `spinegraph models register DIR` registers one; `spinegraph demo` and `spinegraph infer` register the bundled demo set on first use.\n',
          );
        for (const s of sets) process.stdout.write(`${s.isActive ? '*' : ' '} ${s.name}  ${s.id}  ${s.createdAt.toISOString()}\n`);
      } finally {
        await db.close();
      }
    });
}
