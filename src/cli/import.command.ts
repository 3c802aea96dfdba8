import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { ImportResult } from '../services/import/import-studies.js';
import { progressBar } from './progress-bar.js';

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a folder of DICOM files (RSNA layout with its CSVs, or a plain DICOM export)')
    .argument('<dir>', 'folder to import')
    .option('--project <name>', 'project to import into (created when missing)', 'default')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { project: string; json?: boolean }) => {
      const config = await ctx.config();
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { importStudies } = await import('../services/import/import-studies.js');
      const { ensureProject } = await import('../services/projects.service.js');
      const { isUnderConfiguredRoot } = await import('../services/storage/storage-uri.js');
      // Said before the import, not after: the operator can stop and configure the root first (docs/storage.md).
      if (!(await isUnderConfiguredRoot(resolve(dir))))
        process.stderr.write(
          'note: this folder is under no configured data root (DATA_ROOTS, DATA_DIR, or the working folder when DATA_ROOTS ' +
            'is empty): its files are stored relative to a data root registered in the database under a generated name ' +
            '(`spinegraph storage roots`)\n',
        );
      const db = await openReadyDatabase(config.database);
      try {
        const project = await ensureProject(db, opts.project);
        const bar = progressBar('import');
        const result = await importStudies(db, {
          root: resolve(dir),
          projectId: project.id,
          secret: config.patientKeySecret,
          ...(config.seriesDescriptionWords ? { descriptionWords: config.seriesDescriptionWords } : {}),
          onProgress: (_stage, f, m) => bar.update(f, m),
        });
        bar.done();
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : summary(result, project.name));
      } finally {
        await db.close();
      }
    });
}

export function summary(r: ImportResult, project: string): string {
  const lines = [
    `imported into project "${project}" (${r.layout} layout) in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  files:       ${r.files} (${r.skippedKnownFiles} already imported), ${(r.bytes / 1e6).toFixed(1)} MB read`,
    `  studies:     +${r.studies.added} (${r.studies.total} in project)`,
    `  series:      +${r.series.added} (${r.series.total})`,
    `  instances:   +${r.instances.added} (${r.instances.total})`,
    `  labels:      ${r.labels} written, coordinates: ${r.coordinates} written`,
  ];
  if (r.failures.length) {
    lines.push(`  not imported: ${r.failures.length}`);
    for (const f of r.failures.slice(0, 20)) lines.push(`    ${f.path}: ${f.code}: ${f.reason}`);
    if (r.failures.length > 20) lines.push(`    ... and ${r.failures.length - 20} more (--json lists all)`);
  }
  return `${lines.join('\n')}\n`;
}
