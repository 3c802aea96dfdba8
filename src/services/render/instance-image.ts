// GET /studies/:studyId/instances/:instanceId.png as a use case: find the instance within the study, read and
// window its pixels, draw the overlay the caller asked for, encode as PNG.
import type { Database } from '../../db/client.js';
import { notFound } from '../../domain/errors.js';
import { resolveWindow, type ResolvedWindow, type WindowRequest } from './display-window.js';
import { readDisplayFrame } from './display-frame.js';
import { renderFramePng } from './instance-png.js';
import { loadOverlay } from './instance-overlay.js';

export interface InstanceImageRequest {
  readonly studyId: string;
  readonly instanceId: string;
  readonly keypoints: boolean;
  readonly rois: boolean;
  readonly labels: boolean;
  readonly modelSetId: string | undefined;
  readonly window: WindowRequest;
  readonly scale: number;
}

export interface InstanceImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly window: ResolvedWindow;
  readonly markCount: number;
}

export async function renderInstanceImage(db: Database, request: InstanceImageRequest): Promise<InstanceImage> {
  const instance = await db.prisma.instance.findFirst({
    where: { id: request.instanceId, series: { studyId: request.studyId } },
    select: { storageUri: true, pixelSpacing: true },
  });
  if (!instance) throw notFound('Instance', `${request.instanceId} of study ${request.studyId}`);
  const [{ frame, fileWindow }, overlay] = await Promise.all([
    readDisplayFrame(db, instance.storageUri),
    loadOverlay(db, {
      studyId: request.studyId,
      instanceId: request.instanceId,
      pixelSpacing: instance.pixelSpacing.length === 2 ? [instance.pixelSpacing[0], instance.pixelSpacing[1]] : undefined,
      keypoints: request.keypoints,
      rois: request.rois,
      labels: request.labels,
      modelSetId: request.modelSetId,
    }),
  ]);
  const window = resolveWindow(frame, request.window, fileWindow);
  const png = await renderFramePng({ frame, window, marks: overlay.marks, rois: overlay.rois, scale: request.scale });
  return { png, width: frame.columns * request.scale, height: frame.rows * request.scale, window, markCount: overlay.marks.length };
}
