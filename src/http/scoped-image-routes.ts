// The image endpoint behind authentication: the caller must see the study's project, else 404 like any unknown id.
import express, { type Request, type Router } from 'express';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/client.js';
import { isAppError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { recordAudit } from '../services/audit.service.js';
import { imageRoutes } from './image-routes.js';
import { requestIdOf } from './request-id.js';
import { isUuid } from '../domain/ids.js';

export function scopedImageRoutes(db: Database, viewerOf: (req: Request) => Promise<Viewer>, logger?: Logger): Router {
  const router = express.Router();
  router.get('/studies/:studyId/instances/:instanceId.png', async (req, res, next) => {
    try {
      const viewer = await viewerOf(req);
      const { studyId } = req.params as { studyId: string };
      if (isUuid(studyId) && viewer.scope.kind === 'projects') {
        const study = await db.prisma.study.findUnique({ where: { id: studyId }, select: { projectId: true } });
        if (study && !viewer.scope.projectIds.includes(study.projectId)) {
          res.status(404).json({ error: { code: 'NOT_FOUND', message: `Instance of study ${studyId} was not found` } });
          return;
        }
      }
      await recordAudit(db, {
        viewer,
        action: 'image.render',
        targetIds: [studyId, (req.params as { instanceId: string }).instanceId],
        outcome: 'SUCCESS',
        requestId: requestIdOf(res),
      });
      next();
    } catch (e) {
      const code = isAppError(e) ? e.code : 'INTERNAL_SERVER_ERROR';
      res
        .status(code === 'UNAUTHENTICATED' ? 401 : code === 'SERVICE_UNAVAILABLE' ? 503 : 500)
        .json({ error: { code, message: isAppError(e) ? e.message : 'Internal server error' } });
    }
  });
  router.use(imageRoutes(db, logger));
  return router;
}
