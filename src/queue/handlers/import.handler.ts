import { z } from 'zod';
import type { Database } from '../../db/client.js';
import type { Prisma } from '../../db/generated/client.js';
import { badInput } from '../../domain/errors.js';
import type { Config } from '../../config.js';
import { confineToDataRoots } from '../../services/import/data-roots.js';
import { importStudies } from '../../services/import/import-studies.js';
import { dicomwebPullParamsSchema } from '../../services/dicomweb/pull-params.js';
import type { JobHandler } from '../job-runner.js';
import { runDicomwebPull } from './dicomweb-pull.handler.js';

/** Stored in Job.params by the import mutation (the path already confined to the data roots). */
export const importParamsSchema = z.object({ path: z.string().min(1), projectId: z.string().uuid() });

export function importHandler(
  db: Database,
  config: Pick<Config, 'patientKeySecret' | 'dataRoots' | 'seriesDescriptionWords' | 'dicomweb'>,
): JobHandler {
  return async (ctx) => {
    const { job, signal, progress } = ctx;
    // A pull from a DICOMweb source (services/dicomweb/pull-params.ts) rather than a folder.
    const pull = dicomwebPullParamsSchema.safeParse(job.params);
    if (pull.success) return runDicomwebPull(db, config, pull.data, ctx);
    const params = importParamsSchema.safeParse(job.params);
    if (!params.success) throw badInput(`Import job parameters are invalid: ${params.error.message}`);
    // Confined again here: the folder may have been replaced by a link since the mutation checked it.
    const root = config.dataRoots.length > 0 ? await confineToDataRoots(params.data.path, config.dataRoots) : params.data.path;
    let last = 0;
    const result = await importStudies(db, {
      root,
      projectId: params.data.projectId,
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
    return result as unknown as Prisma.InputJsonValue;
  };
}
