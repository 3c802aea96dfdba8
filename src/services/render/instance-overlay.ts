// What is drawn over one instance, read from the database: the keypoints lying on it (the chosen model set's and
// the manual corrections), the labelled coordinates, and a 50 mm ROI box around each keypoint.
import type { Database } from '../../db/client.js';
import type { OverlayMark, RoiBox } from './overlay.js';

/** Side of the square regions the classifiers crop around a keypoint (see docs/rsna2024-reference). */
export const ROI_MM = 50;

export interface OverlayRequest {
  readonly studyId: string;
  readonly instanceId: string;
  /** [row spacing, column spacing] in mm, for the ROI boxes. */
  readonly pixelSpacing: readonly [number, number] | undefined;
  readonly keypoints: boolean;
  readonly rois: boolean;
  readonly labels: boolean;
  /** Whose model keypoints; undefined: the active model set. */
  readonly modelSetId: string | undefined;
}

export interface Overlay {
  readonly marks: OverlayMark[];
  readonly rois: RoiBox[];
}

type KeypointRow = { pixelX: number; pixelY: number; level: string; side: string; source: 'MODEL' | 'MANUAL' };

export async function loadOverlay(db: Database, request: OverlayRequest): Promise<Overlay> {
  const marks: OverlayMark[] = [];
  const rois: RoiBox[] = [];
  if (request.keypoints || request.rois) {
    const keypoints = await keypointsOn(db, request);
    if (request.keypoints) {
      for (const k of keypoints) {
        const title = `${k.source === 'MODEL' ? 'model' : 'manual'} ${k.level}${k.side === 'NONE' ? '' : ` ${k.side}`}`;
        marks.push({ kind: k.source === 'MODEL' ? 'model' : 'manual', x: k.pixelX, y: k.pixelY, title });
      }
    }
    if (request.rois && request.pixelSpacing) {
      const [rowMm, colMm] = request.pixelSpacing;
      for (const k of keypoints) rois.push({ x: k.pixelX, y: k.pixelY, width: ROI_MM / colMm, height: ROI_MM / rowMm });
    }
  }
  if (request.labels) {
    const coordinates = await db.prisma.labelCoordinate.findMany({
      where: { studyId: request.studyId, instanceId: request.instanceId },
      select: { x: true, y: true, condition: true, level: true },
      orderBy: [{ level: 'asc' }, { condition: 'asc' }],
    });
    for (const c of coordinates) marks.push({ kind: 'label', x: c.x, y: c.y, title: `label ${c.condition} ${c.level}` });
  }
  return { marks, rois };
}

async function keypointsOn(db: Database, request: OverlayRequest): Promise<KeypointRow[]> {
  const modelSetId = request.modelSetId ?? (await activeModelSetId(db));
  // Manual corrections made without a model set in view belong to every view of the study.
  const manual = { source: 'MANUAL' as const, OR: [{ modelSetId: null }, ...(modelSetId ? [{ modelSetId }] : [])] };
  const where = {
    studyId: request.studyId,
    instanceId: request.instanceId,
    OR: modelSetId ? [{ source: 'MODEL' as const, modelSetId }, manual] : [manual],
  };
  return db.prisma.keypoint.findMany({
    where,
    select: { pixelX: true, pixelY: true, level: true, side: true, source: true },
    orderBy: [{ level: 'asc' }, { side: 'asc' }, { createdAt: 'asc' }],
  });
}

async function activeModelSetId(db: Database): Promise<string | undefined> {
  const active = await db.prisma.modelSet.findFirst({ where: { isActive: true }, select: { id: true } });
  return active?.id;
}
