import type { Command } from 'commander';
import { progressBar } from './progress-bar.js';

const positiveInt = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${text}`);
  return n;
};

export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description('write a synthetic lumbar MRI cohort in the RSNA layout (deterministic by seed)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--studies <n>', 'number of studies', '20')
    .option('--seed <s>', 'random seed', '1')
    .option('--size <px>', 'rows and columns of each image', '256')
    .action(async (opts: { out: string; studies: string; seed: string; size: string }) => {
      const { generateDataset } = await import('../synth/index.js');
      const bar = progressBar('synth');
      const summary = await generateDataset({
        outDir: opts.out,
        studies: positiveInt('--studies', opts.studies),
        seed: positiveInt('--seed', opts.seed),
        size: positiveInt('--size', opts.size),
        onProgress: (done, total) => bar.update(done / total, `${done} of ${total} studies`),
      });
      bar.done();
      process.stdout.write(
        `wrote ${summary.studyIds.length} studies, ${summary.fileCount} files (${(summary.bytes / 1e6).toFixed(1)} MB) to ${summary.outDir} in ${(summary.elapsedMs / 1000).toFixed(1)} s\n`,
      );
    });
}
