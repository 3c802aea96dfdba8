// The IMPORT job of a DICOMweb pull: opens the sealed study UIDs, checks the source still allows the project
// (the configuration may have changed since the job was queued), and runs the pull with throttled progress.
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { openPullStudies, type DicomwebPullParams } from '../../services/dicomweb/pull-params.js';
import { pullStudies, type PullResult } from '../../services/dicomweb/pull-studies.js';
import { sourceForProject } from '../../services/dicomweb/sources.js';
import { getProject } from '../../services/projects.service.js';
import type { JobContext } from '../job-runner.js';

export async function runDicomwebPull(
  db: Database,
  config: Pick<Config, 'patientKeySecret' | 'dicomweb' | 'seriesDescriptionWords'>,
  params: DicomwebPullParams,
  { signal, progress }: Pick<JobContext<unknown>, 'signal' | 'progress'>,
): Promise<PullResult> {
  const project = await getProject(db, params.projectId);
  const source = sourceForProject(config, params.source, project);
  let lastAt = 0;
  const result = await pullStudies(db, {
    source,
    projectId: project.id,
    studyInstanceUids: openPullStudies(config.patientKeySecret, params),
    secret: config.patientKeySecret,
    cacheDir: config.dicomweb.cacheDir,
    ...(source.linkage && config.dicomweb.linkageKey ? { linkageKey: config.dicomweb.linkageKey } : {}),
    ...(config.seriesDescriptionWords ? { descriptionWords: config.seriesDescriptionWords } : {}),
    signal,
    onProgress: (stage, fraction, message) => {
      // Per instance, but at most every 200 ms: live bars without a database write per small file.
      const now = Date.now();
      if (now - lastAt >= 200 || fraction >= 1) {
        lastAt = now;
        void progress.report({ progress: fraction, stage, message }).catch(() => undefined);
      }
    },
  });
  return result;
}
