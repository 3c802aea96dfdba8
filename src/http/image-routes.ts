// GET /studies/:studyId/instances/:instanceId.png: one slice as PNG with the study's keypoints drawn over it.
// Query: keypoints=1|0 (default 1), rois=1|0 (default 0), labels=1|0 (default 0), modelSetId (default: active),
// window=dicom|auto|<centre>,<width> (default dicom: the file's window, else percentiles 1-99), scale=1..4.
import express, { type Request, type Response, type Router } from 'express';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { badInput, isAppError, type AppError } from '../domain/errors.js';
import { MAX_SCALE, renderInstanceImage, type InstanceImageRequest, type WindowRequest } from '../services/render/index.js';
import { isUuid } from '../domain/ids.js';

export function imageRoutes(db: Database, logger?: Logger): Router {
  const router = express.Router();
  router.get('/studies/:studyId/instances/:instanceId.png', async (req: Request, res: Response) => {
    try {
      const { studyId, instanceId } = req.params as { studyId: string; instanceId: string };
      // Ids that are not UUIDs cannot name a row; answer as for any unknown id rather than as a database error.
      if (!isUuid(studyId) || !isUuid(instanceId)) {
        sendError(res, 404, 'NOT_FOUND', `Instance ${instanceId} of study ${studyId} was not found`);
        return;
      }
      const image = await renderInstanceImage(db, { studyId, instanceId, ...parseImageQuery(req.query) });
      // Keypoints change when a model runs or a reader corrects one: revalidate every time (ETag keeps it cheap).
      res.set('Cache-Control', 'private, no-cache');
      res.set('X-Window', `${round(image.window.centre)},${round(image.window.width)};${image.window.source}`);
      res.type('png').send(image.png);
    } catch (e) {
      if (isAppError(e)) {
        sendError(res, statusOf(e), e.code, e.message);
        return;
      }
      logger?.error({ err: e, path: req.path }, 'image rendering failed');
      sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'the image could not be rendered');
    }
  });
  return router;
}

type ImageQuery = Omit<InstanceImageRequest, 'studyId' | 'instanceId'>;

/** Reads and validates the query string; throws BAD_USER_INPUT naming the bad parameter. */
export function parseImageQuery(query: Request['query']): ImageQuery {
  const modelSetId = single(query, 'modelSetId');
  if (modelSetId !== undefined && !isUuid(modelSetId)) throw badInput(`modelSetId must be a UUID, got "${modelSetId}"`);
  const scaleText = single(query, 'scale') ?? '1';
  const scale = Number(scaleText);
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE)
    throw badInput(`scale must be an integer from 1 to ${MAX_SCALE}, got "${scaleText}"`);
  return {
    keypoints: flag(query, 'keypoints', true),
    rois: flag(query, 'rois', false),
    labels: flag(query, 'labels', false),
    modelSetId,
    window: windowOf(single(query, 'window')),
    scale,
  };
}

function windowOf(text: string | undefined): WindowRequest {
  if (text === undefined || text === 'dicom') return { kind: 'dicom' };
  if (text === 'auto') return { kind: 'auto' };
  const match = /^(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(text);
  if (match && Number(match[2]) >= 1) return { kind: 'explicit', window: { centre: Number(match[1]), width: Number(match[2]) } };
  throw badInput(`window must be "auto", "dicom" or "<centre>,<width>" with width >= 1, got "${text}"`);
}

function flag(query: Request['query'], name: string, fallback: boolean): boolean {
  const value = single(query, name);
  if (value === undefined) return fallback;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw badInput(`${name} must be 1 or 0, got "${value}"`);
}

function single(query: Request['query'], name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badInput(`${name} must be given once`);
  return value;
}

function statusOf(e: AppError): number {
  if (e.code === 'NOT_FOUND') return 404;
  if (e.code === 'BAD_USER_INPUT') return 400;
  if (e.code === 'INVALID_DICOM' || e.code === 'UNSUPPORTED_DICOM' || e.code === 'UNSUPPORTED_TRANSFER_SYNTAX') return 422;
  if (e.code === 'SERVICE_UNAVAILABLE') return 503;
  return 500;
}

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
