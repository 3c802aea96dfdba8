// Reads what one study's SR says from the database: predictions and keypoints of a model set, the referenced
// images' SOP classes (from their files' meta information), and, where linkage holds every UID the SR needs,
// the original UIDs from the sealed table (this module is its only reader).
import type { Database } from '../../db/client.js';
import { badInput, isAppError, notFound } from '../../domain/errors.js';
import type { Condition, Level, Severity } from '../../domain/vocabulary.js';
import { readPart10Meta } from '../../dicomweb/part10-meta.js';
import { readOriginalUids } from '../dicomweb/linkage-store.js';
import { resolveStorageUri } from '../storage/storage-uri.js';
import { buildStudySr, uidFromName, type SrKeypoint, type StudySr } from './study-sr.js';

export interface LoadStudySrOptions {
  readonly studyId: string;
  readonly modelSetId: string;
  /** Unset: the SR refers to pseudonymous UIDs whatever the table holds. */
  readonly linkageKey?: string;
  readonly now?: Date;
}

export async function loadStudySr(
  db: Database,
  options: LoadStudySrOptions,
): Promise<StudySr & { readonly projectId: string; readonly linked: boolean }> {
  const study = await db.prisma.study.findUnique({
    where: { id: options.studyId },
    select: { id: true, projectId: true, studyUidHash: true },
  });
  if (!study) throw notFound('Study', options.studyId);
  const modelSet = await db.prisma.modelSet.findUnique({
    where: { id: options.modelSetId },
    select: { id: true, name: true, contentHash: true },
  });
  if (!modelSet) throw notFound('Model set', options.modelSetId);
  const predictions = await db.prisma.prediction.findMany({
    where: { studyId: study.id, modelSetId: modelSet.id },
    select: { condition: true, level: true, normalMild: true, moderate: true, severe: true, severity: true, updatedAt: true },
  });
  if (predictions.length === 0)
    throw badInput(`Study ${study.id} has no predictions of model set "${modelSet.name}"; run inference on it first`, {
      field: 'modelSetId',
    });
  const keypointRows = await db.prisma.keypoint.findMany({
    where: { studyId: study.id, modelSetId: modelSet.id, instanceId: { not: null } },
    select: {
      level: true,
      side: true,
      pixelX: true,
      pixelY: true,
      series: { select: { type: true, seriesUidHash: true, id: true } },
      instance: { select: { sopInstanceUid: true, storageUri: true } },
    },
    orderBy: [{ level: 'asc' }, { side: 'asc' }, { role: 'asc' }],
  });
  // SOP classes are not stored; each referenced file's meta information says it (4 KiB read per image).
  const sopClasses = new Map<string, string | null>();
  for (const k of keypointRows) {
    const uri = k.instance?.storageUri;
    if (uri && !sopClasses.has(uri)) sopClasses.set(uri, await sopClassOf(db, uri));
  }
  const pseudoKeypoints = keypointRows.flatMap((k): SrKeypoint[] => {
    const sopClassUid = k.instance ? sopClasses.get(k.instance.storageUri) : null;
    if (!k.instance || !sopClassUid) return [];
    return [
      {
        level: k.level as Level,
        side: k.side,
        seriesType: k.series.type,
        pixelX: k.pixelX,
        pixelY: k.pixelY,
        seriesUid: k.series.seriesUidHash ?? uidFromName(`series:${k.series.id}`),
        image: { sopClassUid, sopInstanceUid: k.instance.sopInstanceUid },
      },
    ];
  });
  const pseudoStudyUid = study.studyUidHash ?? uidFromName(`study:${study.id}`);

  // Linkage: only when every UID the SR names has its original; a half-linked report would point nowhere.
  let linked = false;
  let studyUid = pseudoStudyUid;
  let keypoints = pseudoKeypoints;
  if (options.linkageKey) {
    const wanted = [pseudoStudyUid, ...pseudoKeypoints.flatMap((k) => [k.seriesUid, k.image.sopInstanceUid])];
    const originals = await readOriginalUids(db, options.linkageKey, study.projectId, wanted);
    if (wanted.every((u) => originals.has(u))) {
      linked = true;
      studyUid = originals.get(pseudoStudyUid) as string;
      keypoints = pseudoKeypoints.map((k) => ({
        ...k,
        seriesUid: originals.get(k.seriesUid) as string,
        image: { ...k.image, sopInstanceUid: originals.get(k.image.sopInstanceUid) as string },
      }));
    }
  }
  const revision = predictions.reduce((latest, p) => (p.updatedAt > latest ? p.updatedAt : latest), new Date(0)).toISOString();
  const sr = buildStudySr({
    studyKey: study.id,
    studyInstanceUid: studyUid,
    modelSet,
    predictions: predictions.map((p) => ({
      ...p,
      condition: p.condition as Condition,
      level: p.level as Level,
      severity: p.severity as Severity,
    })),
    keypoints,
    linked,
    revision,
    createdAt: options.now ?? new Date(),
  });
  return { ...sr, projectId: study.projectId, linked };
}

/**
 * The SOP class of a stored instance, or null when its file cannot say (a root no longer configured, a file moved
 * or unreadable): that keypoint is then left out of the SR. Resolving a registered root reads the database, and a
 * database that cannot answer stays an error (SERVICE_UNAVAILABLE upstream), never a silently shorter SR.
 */
async function sopClassOf(db: Database, uri: string): Promise<string | null> {
  const path = await resolveStorageUri(db, uri).catch((e: unknown) => {
    if (isAppError(e)) return null;
    throw e;
  });
  if (path === null) return null;
  const meta = await readPart10Meta(path).catch(() => null);
  return meta?.sopClassUid ?? null;
}
