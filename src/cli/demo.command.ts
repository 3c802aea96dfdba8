import { join } from 'node:path';
import type { Command } from 'commander';
import { formatCohortTable, formatEvaluation } from './cohort-table.js';
import { writeSubmission } from './export.command.js';
import { formatSummary, inferInProcess } from './infer.command.js';
import { summary as importSummary } from './import.command.js';

/**
 * The newcomer's first command: synthesise a small cohort, import it, run the pipeline with the bundled demo
 * model set, print the cohort table and the score, write a submission, then serve the API. Embedded database,
 * no Redis, no auth (loopback only).
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the main job end to end on the embedded database, then serve the API')
    .option('--studies <n>', 'synthetic studies', '12')
    .option('--seed <s>', 'seed of the synthetic cohort', '2026')
    .option('--no-serve', 'stop after the batch part instead of serving the API')
    .option('--port <n>', 'API port', '4000')
    .action(async (opts: { studies: string; seed: string; serve: boolean; port: string }) => {
      // Loaded here, not at the top: `spinegraph --help` and every other command start without them.
      const { loadConfig } = await import('../config.js');
      const { createLogger } = await import('../logger.js');
      const { openReadyDatabase } = await import('../db/migrate-database.js');
      const { onShutdownSignal } = await import('../runtime/shutdown.js');
      const { serve } = await import('../server.js');
      const { cohortSummary } = await import('../services/cohort.service.js');
      const { evaluate } = await import('../services/evaluation.service.js');
      const { importStudies } = await import('../services/import/import-studies.js');
      const { ensureProject } = await import('../services/projects.service.js');
      const { generateDataset } = await import('../synth/index.js');
      const config = loadConfig({
        ...process.env,
        DATABASE_URL: undefined,
        AUTH_MODE: 'off',
        HOST: '127.0.0.1',
        PORT: opts.port,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        // Imports started from the page may read the demo's own folder (and whatever DATA_ROOTS adds). Its files are
        // stored under the root `data` (DATA_DIR) all the same, which a later plain `spinegraph serve` has too.
        DATA_ROOTS: [process.env.DATA_DIR ?? '.spinegraph', process.env.DATA_ROOTS ?? ''].filter(Boolean).join(','),
      });
      (await import('../services/storage/storage-uri.js')).useStorageRoots(config.storageRoots);
      const logger = createLogger(config.logLevel);
      const out = (line = ''): void => void process.stdout.write(`${line}\n`);
      const started = performance.now();
      if (config.database.kind !== 'pglite') throw new Error('the demo runs on the embedded database');
      out(`spinegraph demo: embedded database at ${config.database.dir}`);
      const db = await openReadyDatabase(config.database);
      try {
        const dataDir = join(config.dataDir, 'demo-cohort');
        out(`1. synthesising ${opts.studies} studies (seed ${opts.seed}) in ${dataDir}`);
        const synth = await generateDataset({ outDir: dataDir, studies: Number(opts.studies), seed: Number(opts.seed), size: 256 });
        out(`   ${synth.fileCount} DICOM files, ${(synth.bytes / 1e6).toFixed(0)} MB in ${(synth.elapsedMs / 1000).toFixed(1)} s`);
        out('2. importing');
        const project = await ensureProject(db, 'demo');
        const imported = await importStudies(db, {
          root: dataDir,
          projectId: project.id,
          secret: config.patientKeySecret,
          ...(config.seriesDescriptionWords ? { descriptionWords: config.seriesDescriptionWords } : {}),
        });
        out(importSummary(imported, project.name).replace(/^/gm, '   ').trimEnd());
        out('3. running the 9th-place pipeline');
        const studyIds = (await db.prisma.study.findMany({ where: { projectId: project.id }, select: { externalId: true } })).map(
          (s) => s.externalId,
        );
        const inference = await inferInProcess(db, config, { studies: studyIds });
        out(formatSummary(inference).replace(/^/gm, '   '));
        const set = await db.prisma.modelSet.findFirstOrThrow({ where: { name: inference.modelSet } });
        const scope = { kind: 'projects' as const, projectIds: [project.id] };
        out();
        out(
          formatCohortTable(
            await cohortSummary(db, { scope, modelSetId: set.id, source: 'PREDICTED' }),
            await cohortSummary(db, { scope, modelSetId: set.id, source: 'LABELLED' }),
          ),
        );
        out();
        out(formatEvaluation(await evaluate(db, { scope, modelSetId: set.id })));
        const submissionPath = join(config.dataDir, 'submission.csv');
        const written = await writeSubmission(db, submissionPath, set.name);
        out(`4. submission: ${written.rows} rows in ${submissionPath}`);
        out(`   batch part finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (e) {
        await db.close();
        throw e;
      }
      if (!opts.serve) {
        await db.close();
        return;
      }
      const server = await serve({ config, logger, db, useRedis: false });
      const query = '{ cohortSummary { studyCount cells { condition level severity count } } }';
      out(
        `\n5. API: ${server.api.url}  (GraphQL over HTTP and WebSocket; dashboard at ${server.api.url.replace(/graphql$/, '')}; Ctrl+C stops)`,
      );
      out('   jobs started from the dashboard or the API run in this process (JOB_MODE=in-process: no Redis, no worker)');
      out(`   try: curl -s ${server.api.url} -H 'content-type: application/json' -d '${JSON.stringify({ query })}'`);
      onShutdownSignal(logger, async () => {
        await server.stop();
        await db.close();
      });
    });
}
