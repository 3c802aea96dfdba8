// The parameters of a DICOMweb pull as they sit in Job.params (which GraphQL shows its requester): the source's
// name, the project, and each study as its pseudonym plus its original UID sealed under a key derived from the
// pseudonym secret for this purpose alone. No original UID is stored in clear, not even in a job's parameters.
import { z } from 'zod';
import { pseudonymousUid } from '../import/pseudonym.js';
import { openUid, sealKey, sealUid } from './sealed-uid.js';

export const dicomwebPullParamsSchema = z.object({
  kind: z.literal('dicomweb'),
  source: z.string().min(1),
  projectId: z.string().uuid(),
  studies: z.array(z.object({ pseudonymousUid: z.string().min(1), sealedUid: z.string().min(1) })).min(1),
});
export type DicomwebPullParams = z.infer<typeof dicomwebPullParamsSchema>;

export function sealPullParams(secret: string, source: string, projectId: string, studyUids: readonly string[]): DicomwebPullParams {
  const key = sealKey(secret, 'job-params');
  return {
    kind: 'dicomweb',
    source,
    projectId,
    studies: studyUids.map((uid) => {
      const pseudonym = pseudonymousUid(secret, uid);
      return { pseudonymousUid: pseudonym, sealedUid: sealUid(key, uid, `${projectId}:${pseudonym}`) };
    }),
  };
}

export function openPullStudies(secret: string, params: DicomwebPullParams): string[] {
  const key = sealKey(secret, 'job-params');
  return params.studies.map((s) => openUid(key, s.sealedUid, `${params.projectId}:${s.pseudonymousUid}`));
}
