// GET /exports/studies/{id}/sr.dcm?modelSetId=...: a study's results as a DICOM Comprehensive SR, scoped to the
// caller's projects like every export (another project's study reads as not found) and audited.
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { isAppError } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import { exportStudySr } from '../services/sr/sr.use-cases.js';
import { requestIdOf } from './request-id.js';

const STATUS: Readonly<Record<string, number>> = { BAD_USER_INPUT: 400, NOT_FOUND: 404, UNAUTHENTICATED: 401, FORBIDDEN: 403 };

export function srRoutes(db: Database, config: Config, viewerOf: (req: Request, res: Response) => Promise<Viewer>): Router {
  const router = express.Router();
  router.get('/exports/studies/:id/sr.dcm', async (req, res) => {
    try {
      const viewer = await viewerOf(req, res);
      const studyId = String(req.params.id);
      const modelSetId = typeof req.query.modelSetId === 'string' ? req.query.modelSetId : null;
      if (!isUuid(studyId) || (modelSetId !== null && !isUuid(modelSetId))) {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: `Study ${studyId.slice(0, 40)} was not found` } });
        return;
      }
      const sr = await exportStudySr({ db, config, viewer, requestId: requestIdOf(res) }, { studyId, modelSetId });
      res.setHeader('content-type', 'application/dicom');
      res.setHeader('content-disposition', `attachment; filename="${studyId}-sr.dcm"`);
      res.setHeader('x-spinegraph-sr-uids', sr.linked ? 'original' : 'pseudonymous');
      res.end(sr.bytes);
    } catch (e) {
      const status = isAppError(e) ? (STATUS[e.code] ?? 500) : 500;
      res.status(status).json({
        error: { code: isAppError(e) ? e.code : 'INTERNAL_SERVER_ERROR', message: isAppError(e) ? e.message : 'Internal server error' },
      });
    }
  });
  return router;
}
