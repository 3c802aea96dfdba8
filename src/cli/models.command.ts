import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { openReadyDatabase } from '../db/migrate-database.js';
import { listModelSets, registerModelSet } from '../services/model-registry.service.js';

export function registerModelsCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('model sets');
  models
    .command('register')
    .description('validate a folder of ONNX models + manifests and register it as a model set (idempotent)')
    .argument('<dir>', 'folder with *.onnx and *.manifest.json')
    .option('--activate', 'make it the active set')
    .option('--name <name>', 'set name (default: model-set.json or the folder name)')
    .action(async (dir: string, opts: { activate?: boolean; name?: string }) => {
      const db = await openReadyDatabase(ctx.config().database);
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
      const db = await openReadyDatabase(ctx.config().database);
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
