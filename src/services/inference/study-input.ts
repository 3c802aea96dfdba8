// A stored study -> the pipeline's StudyInput: one SeriesStack per (series, stack), pixels loaded lazily from
// the instance's storage URI and decoded by src/dicom.
import { readFile } from 'node:fs/promises';
import type { Database } from '../../db/client.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { decodeFrame, parseDicom } from '../../dicom/index.js';
import type { ImageFrame } from '../../domain/image.js';
import type { SeriesType } from '../../domain/vocabulary.js';
import type { SeriesStack, SliceRef, StudyInput } from '../../inference/stack.js';
import { geometryOf } from '../instance-geometry.js';
import { resolveStorageUri } from '../storage/storage-uri.js';

type InstanceRecord = {
  id: string;
  seriesId: string;
  type: SeriesType;
  spacingBetweenSlices: number | null;
  stackIndex: number;
  sopInstanceUid: string;
  instanceNumber: number | null;
  storageUri: string;
  rows: number;
  columns: number;
  pixelSpacing: number[];
  imagePositionPatient: number[];
  imageOrientationPatient: number[];
};

/**
 * The first frame of a stored instance. Errors name the instance by `label` (its number), never by its file path:
 * their message becomes a prediction's fallback reason and a job's error, both stored and served.
 */
export async function loadFrame(db: Database, storageUri: string, label = 'an instance'): Promise<ImageFrame> {
  return readFrameFile(await resolveStorageUri(db, storageUri), label);
}

/** The first frame of the DICOM file at `path` (resolved from a storage URI), its errors naming it by `label`. */
export async function readFrameFile(path: string, label: string): Promise<ImageFrame> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AppError('INVALID_DICOM', `${label}: its file cannot be read (${code})`, { details: { code } });
  }
  try {
    return await decodeFrame(parseDicom(bytes, label), 0);
  } catch (e) {
    if (isAppError(e)) {
      const message = e.message.split(path).join(label);
      throw message === e.message ? e : new AppError(e.code, message, { details: e.details, cause: e });
    }
    throw new AppError(
      'INVALID_DICOM',
      `${label}: cannot be decoded (${e instanceof Error ? e.message.split(path).join(label) : String(e)})`,
    );
  }
}

export async function loadStudyInputs(db: Database, studyIds: readonly string[]): Promise<StudyInput[]> {
  const rows = await db.sql.query<InstanceRecord & { studyId: string }>(
    `SELECT i.id, i."seriesId", se."studyId", se.type, se."spacingBetweenSlices", i."stackIndex", i."sopInstanceUid", i."instanceNumber", i."storageUri",
            i.rows, i.columns, i."pixelSpacing", i."imagePositionPatient", i."imageOrientationPatient"
     FROM "Instance" i JOIN "Series" se ON se.id = i."seriesId"
     WHERE se."studyId" = ANY($1::uuid[]) AND se.type <> 'OTHER'
     ORDER BY se."studyId", i."seriesId", i."stackIndex", i."sliceIndex"`,
    [studyIds],
  );
  const byStudy = new Map<string, Map<string, { type: SeriesType; seriesId: string; spacing: number | null; slices: SliceRef[] }>>();
  for (const r of rows) {
    const geometry = geometryOf(r);
    if (!geometry) continue;
    const stacks = byStudy.get(r.studyId) ?? new Map();
    byStudy.set(r.studyId, stacks);
    const key = `${r.seriesId}#${r.stackIndex}`;
    const stack = stacks.get(key) ?? { type: r.type, seriesId: r.seriesId, spacing: r.spacingBetweenSlices, slices: [] };
    stacks.set(key, stack);
    stack.slices.push({
      sopInstanceUid: r.sopInstanceUid,
      instanceNumber: r.instanceNumber ?? undefined,
      instanceId: r.id,
      geometry,
      load: () => loadFrame(db, r.storageUri, `instance ${r.instanceNumber ?? r.sopInstanceUid.slice(-12)}`),
    });
  }
  return studyIds.map((studyId) => ({
    studyId,
    stacks: [...(byStudy.get(studyId)?.values() ?? [])].map((s): SeriesStack => ({
      seriesId: s.seriesId,
      type: s.type,
      slices: s.slices,
      ...(s.spacing ? { spacingBetweenSlices: s.spacing } : {}),
    })),
  }));
}
