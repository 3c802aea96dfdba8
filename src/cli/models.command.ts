import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { progressBar } from './progress-bar.js';
import { describeSeedImportEvent } from './seed-import-events.js';

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
    .command('quantize')
    .description('write and register a static int8 (QDQ) copy of a model set, calibrated on imported studies')
    .argument('<set>', 'model set name or id (the float set)')
    .requiredOption('--name <name>', 'name of the new set')
    .option('--calibration-studies <n>', 'imported studies to calibrate activation ranges on', '20')
    .option('--activate', 'make the new set the active one')
    .action(async (setName: string, opts: { name: string; calibrationStudies: string; activate?: boolean }) => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { quantizeRegisteredSet } = await import('../services/quantize.service.js');
      const db = await openReadyDatabase(config.database);
      try {
        const bar = progressBar('quantize');
        const result = await quantizeRegisteredSet(
          { db, config },
          { set: setName, name: opts.name, calibrationStudies: Number(opts.calibrationStudies), activate: opts.activate },
          { onProgress: (stage, done, total) => bar.update(done / total, `${stage} ${done} of ${total}`) },
        );
        bar.done();
        process.stdout.write(
          `registered model set "${result.set.name}" (${result.set.id}): int8 copy of "${result.sourceSet}", calibrated on ${result.calibrationStudies} studies, in ${result.directory}\n`,
        );
        for (const m of result.models)
          process.stdout.write(
            `  ${m.model}: ${Object.entries(m.report.quantizedLayers)
              .map(([op, k]) => `${k} ${op}`)
              .join(
                ', ',
              )} int8, ${m.calibrationSamples} samples; output vs float max |diff| ${m.check.maxAbsDiff.toFixed(4)} (range ${m.check.floatOutputRange.toFixed(3)})\n`,
          );
      } finally {
        await db.close();
      }
    });
  models
    .command('import-seed')
    .description(
      "convert the 9th-place solution's checkpoint folders (config.json, splits.csv, <name>-cv<k>_best.pt) to ONNX and register them as one model set",
    )
    .argument('<dirs...>', 'seed model folders (models/<project_name>-<run>/)')
    .requiredOption('--name <name>', 'model set name')
    .option('--activate', 'make it the active set')
    .action(async (dirs: string[], opts: { name: string; activate?: boolean }) => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { importSeedModels } = await import('../services/seed-import.service.js');
      const db = await openReadyDatabase(config.database);
      try {
        const result = await importSeedModels(db, dirs, {
          name: opts.name,
          activate: opts.activate,
          python: config.trainerPython,
          modelsDir: config.modelsDir,
          onEvent: (e) => {
            const line = describeSeedImportEvent(e);
            if (line) process.stdout.write(`${line}\n`);
          },
          onLog: (line) => process.stderr.write(`${line}\n`),
        });
        const { set } = result;
        process.stdout.write(
          `${result.created ? 'registered' : 'already registered'} model set "${set.name}" (${set.id})${set.isActive ? ', active' : ''}: ` +
            `${result.manifests.length} models in ${result.directory}\n`,
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
