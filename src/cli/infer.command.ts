import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { InferenceRunSummary } from '../services/inference/run-inference.js';
import { progressBar } from './progress-bar.js';
import { isUuid } from '../domain/ids.js';

export function registerInferCommand(program: Command, ctx: CliContext): void {
  program
    .command('infer')
    .description('run the pipeline in this process (no Redis needed) and store keypoints and predictions')
    .option('--all', 'every study')
    .option('--study <id...>', 'study id(s) or external id(s)')
    .option('--model-set <name>', 'model set name or id (default: active; the bundled demo set when none is registered)')
    .action(async (opts: { all?: boolean; study?: string[]; modelSet?: string }) => {
      if (!opts.all === !opts.study) throw new Error('give --all or --study ID (one of them)');
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const db = await openReadyDatabase(config.database);
      try {
        const summary = await inferInProcess(db, config, { studies: opts.study ?? 'all', modelSet: opts.modelSet });
        process.stdout.write(`${formatSummary(summary)}\n`);
      } finally {
        await db.close();
      }
    });
}

export async function inferInProcess(
  db: Database,
  config: Config,
  args: { studies: readonly string[] | 'all'; modelSet?: string; quiet?: boolean },
): Promise<InferenceRunSummary & { modelSet: string }> {
  const { chooseModelSet } = await import('../services/inference/model-set-choice.js');
  const { runInference } = await import('../services/inference/run-inference.js');
  const { openModelSet } = await import('../services/model-registry.service.js');
  const { set, notice } = await chooseModelSet(db, config, args.modelSet);
  if (notice) process.stderr.write(`${notice}\n`);
  const studies =
    args.studies === 'all'
      ? await db.prisma.study.findMany({ select: { id: true }, orderBy: { externalId: 'asc' } })
      : await db.prisma.study.findMany({
          where: {
            OR: [{ externalId: { in: [...args.studies] } }, { id: { in: args.studies.filter(isUuid) } }],
          },
          select: { id: true },
        });
  if (studies.length === 0)
    throw new Error(args.studies === 'all' ? 'there are no studies; import some first' : `no study matches ${args.studies.join(', ')}`);
  const loaded = await openModelSet(db, set, config.inference);
  const bar = progressBar('infer');
  try {
    const summary = await runInference(db, {
      studyIds: studies.map((s) => s.id),
      modelSetId: set.id,
      modelSet: loaded,
      onProgress: (d, t) => args.quiet || bar.update(d / t, `${d} of ${t} studies`),
    });
    if (!args.quiet) bar.done();
    return { ...summary, modelSet: set.name };
  } finally {
    await loaded.release();
  }
}

export function formatSummary(
  s: Omit<InferenceRunSummary, 'unreadable'> & { modelSet: string; unreadable?: InferenceRunSummary['unreadable'] },
): string {
  // Stage times are busy times summed over the run: studies load concurrently and models overlap with the
  // next batch's preparation, so they add up to more than the wall clock and are not a per-study cost.
  const stages = Object.entries(s.stagesMs)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
  const fallbacks =
    Object.entries(s.fallbacks)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || 'none';
  return [
    `model set "${s.modelSet}": ${s.studies} studies, ${s.predictions} predictions, ${s.keypoints} keypoints in ${(s.wallMs / 1000).toFixed(1)} s (${((s.studies * 60000) / Math.max(1, s.wallMs)).toFixed(1)} studies/min, ${(s.wallMs / Math.max(1, s.studies)).toFixed(0)} ms of wall clock per study)`,
    `  time in each stage, summed over the run (stages overlap, so the sum exceeds the wall clock): ${stages}`,
    `  rows with a fallback: ${fallbacks}`,
    ...(s.unreadable?.length
      ? [`  not run, no image readable (earlier results kept): ${s.unreadable.map((u) => `${u.studyId}: ${u.reason}`).join('; ')}`]
      : []),
  ].join('\n');
}
