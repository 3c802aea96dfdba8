import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { Database } from '../db/client.js';
import { csvRecordCount } from '../services/export/csv-cell.js';

export async function writeSubmission(db: Database, path: string, modelSet?: string): Promise<{ rows: number; modelSet: string }> {
  const { findModelSet } = await import('../services/model-registry.service.js');
  const { submissionCsv } = await import('../services/export/submission.js');
  const set = modelSet ? await findModelSet(db, modelSet) : await db.prisma.modelSet.findFirst({ where: { isActive: true } });
  if (!set) throw new Error('no model set is active; name one with --model-set');
  const out = createWriteStream(path);
  let rows = -1;
  for await (const chunk of submissionCsv(db, { scope: { kind: 'all' }, modelSetId: set.id })) {
    rows += csvRecordCount(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { rows, modelSet: set.name };
}

export function registerExportCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('export').description('exports');
  exp
    .command('submission')
    .description('write the Kaggle submission CSV (every row present)')
    .requiredOption('--out <file>', 'output CSV')
    .option('--model-set <name>', 'model set name or id (default: active)')
    .action(async (opts: { out: string; modelSet?: string }) => {
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const db = await openReadyDatabase((await await ctx.config()).database);
      try {
        const { rows, modelSet } = await writeSubmission(db, opts.out, opts.modelSet);
        process.stdout.write(`wrote ${rows} rows (model set "${modelSet}") to ${opts.out}\n`);
      } finally {
        await db.close();
      }
    });
  exp
    .command('model-inputs')
    .description('write every tensor a model receives (one float32 .npy per sample) and DIR/index.json')
    .requiredOption('--out <dir>', 'output folder')
    .option('--coordinates <source>', "labels (what training sees) or predicted (the model set's keypoints, what inference sees)", 'labels')
    .option('--model-set <name>', 'model set name or id: its keypoint models (predicted) and its input layouts (default: active)')
    .option('--keypoint-size <n>', "render the reference layout with this keypoint input size (default 512, or the set's)")
    .option('--roi-size <n>', "render the reference layout with this ROI size (default 128, or the set's)")
    .option('--study <id...>', 'study external id(s) (default: every study)')
    .action(
      async (opts: { out: string; coordinates: string; modelSet?: string; keypointSize?: string; roiSize?: string; study?: string[] }) => {
        const { runModelInputsExport } = await import('./model-inputs.command.js');
        const config = await ctx.config();
        process.stdout.write(await runModelInputsExport(config, opts));
      },
    );
}
