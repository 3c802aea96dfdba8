import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { confineToDataRoots } from '../../services/import/data-roots.js';
import { importStudies } from '../../services/import/import-studies.js';
import type { JobHandler } from '../job-runner.js';
import { runDicomwebPull } from './dicomweb-pull.handler.js';

type ImportConfig = Pick<Config, 'patientKeySecret' | 'dataRoots' | 'seriesDescriptionWords' | 'dicomweb'>;

/** IMPORT: the folder stored by the import mutation (already confined to the data roots there), or a DICOMweb pull. */
export function importHandler(db: Database, config: ImportConfig): JobHandler<'IMPORT'> {
  return {
    kind: 'IMPORT',
    async run(ctx) {
      const { params, signal, progress } = ctx;
      // A pull from a DICOMweb source (services/dicomweb/pull-params.ts) rather than a folder.
      if ('kind' in params) return runDicomwebPull(db, config, params, ctx);
      // Confined again here: the folder may have been replaced by a link since the mutation checked it.
      const root = config.dataRoots.length > 0 ? await confineToDataRoots(params.path, config.dataRoots) : params.path;
      let last = 0;
      return importStudies(db, {
        root,
        projectId: params.projectId,
        secret: config.patientKeySecret,
        ...(config.seriesDescriptionWords ? { descriptionWords: config.seriesDescriptionWords } : {}),
        signal,
        onProgress: (stage, fraction, message) => {
          // A progress event per ~2 % keeps subscribers live without a database write per file.
          if (fraction - last >= 0.02 || fraction >= 1) {
            last = fraction;
            void progress.report({ progress: fraction, stage, message }).catch(() => undefined);
          }
        },
      });
    },
  };
}
