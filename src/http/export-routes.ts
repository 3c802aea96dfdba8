// GET /exports/submission.csv?modelSetId=...&filter=<StudyFilter as JSON>: the Kaggle submission, streamed.
import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/client.js';
import { badInput, isAppError } from '../domain/errors.js';
import type { StudyFilterInput } from '../domain/study-filter.js';
import { MANUFACTURERS, SEXES } from '../domain/stratifiers.js';
import { CONDITIONS, LEVELS, SERIES_TYPES, SEVERITIES } from '../domain/vocabulary.js';
import { exportCohortCsv } from '../services/export/cohort-csv.js';
import { citeCohort } from '../services/saved-cohorts.service.js';
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
    sexes: z.array(z.enum([...SEXES, 'UNKNOWN'])).nullish(),
    ageBands: z.array(z.string()).nullish(),
    manufacturers: z.array(z.enum([...MANUFACTURERS, 'UNKNOWN'])).nullish(),
    fieldStrengths: z.array(z.number()).nullish(),
    sliceThicknessMin: z.number().nullish(),
    sliceThicknessMax: z.number().nullish(),
    cohortId: z.string().nullish(),
    cohortVersion: z.number().int().nullish(),
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
      // The submission's columns are Kaggle's: a cohort it was taken from travels in a header instead.
      const cohort = await citeCohort(db, { scope: viewer.scope, filter, kind: 'EXPORT', userId: viewer.userId });
      if (cohort) res.setHeader('x-spinegraph-cohort', `id=${cohort.id}; version=${cohort.version}; sha256=${cohort.hash}`);
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
      answerError(res, e);
    }
  });
  router.get('/exports/cohort.csv', async (req, res) => {
    try {
      const viewer = await viewerOf(req, res);
      const cohortId = singleParam(req.query.cohortId, 'cohortId');
      if (!cohortId) throw badInput('cohortId is required');
      const versionText = singleParam(req.query.cohortVersion, 'cohortVersion');
      const version = versionText === null ? null : Number(versionText);
      if (version !== null && !(Number.isInteger(version) && version >= 1)) throw badInput('cohortVersion must be a whole number from 1');
      const modelSetId = await resolveModelSetId(db, singleParam(req.query.modelSetId, 'modelSetId'));
      if (!modelSetId) throw badInput('No model set is active; pass modelSetId');
      const exported = await exportCohortCsv(db, viewer, { cohortId, version, modelSetId });
      await recordAudit(db, {
        viewer,
        action: 'export.cohort',
        filter: { cohortId, cohortVersion: exported.cohort.version },
        targetIds: [cohortId, modelSetId],
        outcome: 'SUCCESS',
        requestId: requestIdOf(res),
      });
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader(
        'content-disposition',
        `attachment; filename="cohort-${exported.cohort.version}-${exported.cohort.hash.slice(0, 12)}.csv"`,
      );
      res.setHeader('x-spinegraph-cohort', `id=${cohortId}; version=${exported.cohort.version}; sha256=${exported.cohort.hash}`);
      for await (const chunk of exported.chunks) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (e) {
      answerError(res, e);
    }
  });
  return router;
}

function singleParam(value: unknown, name: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') throw badInput(`${name} must be given once`);
  return value;
}

function answerError(res: Response, e: unknown): void {
  const status = isAppError(e)
    ? ({ BAD_USER_INPUT: 400, NOT_FOUND: 404, UNAUTHENTICATED: 401, FORBIDDEN: 403, CONFLICT: 409 }[e.code as string] ?? 500)
    : 500;
  if (res.headersSent) {
    res.destroy(e instanceof Error ? e : undefined);
    return;
  }
  res.status(status).json({
    error: { code: isAppError(e) ? e.code : 'INTERNAL_SERVER_ERROR', message: isAppError(e) ? e.message : 'Internal server error' },
  });
}
