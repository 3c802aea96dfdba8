// GET /exports/submission.csv?modelSetId=...&filter=<StudyFilter as JSON>: the Kaggle submission, streamed.
import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/client.js';
import { badInput, isAppError } from '../domain/errors.js';
import type { StudyFilterInput } from '../domain/study-filter.js';
import { CONDITIONS, LEVELS, SERIES_TYPES, SEVERITIES } from '../domain/vocabulary.js';
import { submissionCsv } from '../services/export/submission.js';
import { resolveModelSetId } from '../services/model-sets.service.js';
import { recordAudit } from '../services/audit.service.js';
import { requestIdOf } from './request-id.js';

const criterion = z.object({
  condition: z.enum(CONDITIONS),
  level: z.enum(LEVELS).nullish(),
  atLeast: z.enum(SEVERITIES),
  minProbability: z.number().min(0).max(1).nullish(),
});
const filterSchema = z
  .object({
    ids: z.array(z.string()).nullish(),
    externalIds: z.array(z.string()).nullish(),
    projectId: z.string().nullish(),
    labelled: z.boolean().nullish(),
    hasSeriesTypes: z.array(z.enum(SERIES_TYPES)).nullish(),
    predicted: z.array(criterion).nullish(),
    labels: z.array(criterion).nullish(),
  })
  .strict();

function parseFilter(text: unknown): StudyFilterInput | null {
  if (text === undefined) return null;
  if (typeof text !== 'string') throw badInput('filter must be given once, as JSON');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badInput('filter is not valid JSON');
  }
  const parsed = filterSchema.safeParse(json);
  if (!parsed.success)
    throw badInput(`filter is not a StudyFilter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function exportRoutes(db: Database, viewerOf: (req: Request, res: Response) => Promise<Viewer>): Router {
  const router = express.Router();
  router.get('/exports/submission.csv', async (req, res) => {
    try {
      const viewer = await viewerOf(req, res);
      const filter = parseFilter(req.query.filter);
      const requested = typeof req.query.modelSetId === 'string' ? req.query.modelSetId : null;
      const modelSetId = await resolveModelSetId(db, requested);
      if (!modelSetId) throw badInput('No model set is active; pass modelSetId');
      await recordAudit(db, {
        viewer,
        action: 'export.submission',
        filter: filter as Record<string, unknown> | null,
        targetIds: [modelSetId],
        outcome: 'SUCCESS',
        requestId: requestIdOf(res),
      });
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="submission.csv"');
      for await (const chunk of submissionCsv(db, { scope: viewer.scope, filter, modelSetId })) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (e) {
      const status = isAppError(e)
        ? ({ BAD_USER_INPUT: 400, NOT_FOUND: 404, UNAUTHENTICATED: 401, FORBIDDEN: 403 }[e.code as string] ?? 500)
        : 500;
      if (res.headersSent) return res.destroy(e instanceof Error ? e : undefined);
      res.status(status).json({
        error: { code: isAppError(e) ? e.code : 'INTERNAL_SERVER_ERROR', message: isAppError(e) ? e.message : 'Internal server error' },
      });
    }
  });
  return router;
}
