import type { Database } from '../db/client.js';
import { badInput, notFound } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import { pixelToPatient } from '../dicom/index.js';
import type { Level, Side } from '../domain/vocabulary.js';
import { requireRole } from '../auth/permissions.js';
import type { Viewer } from '../auth/viewer.js';
import { geometryOf } from './instance-geometry.js';
import { selectStudyIds } from './studies.service.js';

export interface ManualKeypointInput {
  readonly studyId: string;
  readonly instanceId: string;
  readonly level: Level;
  readonly side: Side;
  readonly pixelX: number;
  readonly pixelY: number;
  readonly role?: string | null;
  readonly userId: string | null;
}

export type KeypointCorrection = Omit<ManualKeypointInput, 'side' | 'userId'> & { readonly side?: Side | null };

/** The correctKeypoint use case: on a study the caller sees, in a project where they are a researcher. */
export async function correctKeypointAs(db: Database, viewer: Viewer, input: KeypointCorrection) {
  const visible = await selectStudyIds(db, viewer.scope, { ids: [input.studyId] }, null);
  if (visible.length === 0) throw notFound('Study', input.studyId);
  requireRole(viewer, visible[0].projectId, 'RESEARCHER');
  return correctKeypoint(db, { ...input, side: input.side ?? 'NONE', userId: viewer.userId });
}

/** A manual keypoint beside the model's: patient coordinates computed from the instance's own geometry. */
export async function correctKeypoint(db: Database, input: ManualKeypointInput) {
  const instance = isUuid(input.instanceId)
    ? await db.prisma.instance.findUnique({ where: { id: input.instanceId }, include: { series: { select: { id: true, studyId: true } } } })
    : null;
  if (!instance || instance.series.studyId !== input.studyId) throw notFound('Instance', input.instanceId);
  if (!(input.pixelX >= 0 && input.pixelX <= instance.columns - 1 && input.pixelY >= 0 && input.pixelY <= instance.rows - 1)) {
    throw badInput(`Pixel (${input.pixelX}, ${input.pixelY}) lies outside the ${instance.columns} x ${instance.rows} image`);
  }
  const geometry = geometryOf(instance);
  if (!geometry) throw badInput('This instance has no patient geometry; a keypoint cannot be placed on it');
  const p = pixelToPatient(geometry, input.pixelX, input.pixelY);
  return db.prisma.keypoint.create({
    data: {
      studyId: input.studyId,
      seriesId: instance.series.id,
      instanceId: instance.id,
      level: input.level,
      side: input.side,
      role: input.role ?? 'manual',
      pixelX: input.pixelX,
      pixelY: input.pixelY,
      patientX: p[0],
      patientY: p[1],
      patientZ: p[2],
      source: 'MANUAL',
      correctedById: input.userId,
    },
  });
}
