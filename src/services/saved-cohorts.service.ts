// Saved, versioned cohorts (docs/cohorts.md): saving a filter under a name freezes the ids of the studies it matches
// in the project, with the filter, who and when; saving the same name again makes the next version. A version's
// hash is the SHA-256 of its sorted study ids (one per line), so a paper can cite exactly which studies it used.
// Evaluations and exports that use a cohort record a citation, and a cited cohort can no longer be deleted.
import { createHash } from 'node:crypto';
import type { Viewer } from '../auth/viewer.js';
import { canRead, requireRole } from '../auth/permissions.js';
import type { Database } from '../db/client.js';
import { AppError, badInput, conflict, notFound } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export const MAX_COHORT_NAME = 200;
export const MAX_COHORT_DESCRIPTION = 2000;

export interface CohortVersionRow {
  readonly id: string;
  readonly cohortId: string;
  readonly version: number;
  readonly description: string | null;
  readonly filter: unknown;
  readonly studyIds: readonly string[];
  readonly studyCount: number;
  readonly hash: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface SavedCohortRow {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly createdAt: Date;
  /** Newest first. */
  readonly versions: readonly CohortVersionRow[];
  readonly citations: number;
}

/** What an evaluation or export used, shown in its answer. */
export interface CohortReference {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly hash: string;
  readonly studyCount: number;
}

export type CitationKind = 'EVALUATION' | 'EXPORT';

/** SHA-256 (hex) of the ids sorted, joined by newlines: reproducible from an export's study list. */
export function cohortHash(studyIds: readonly string[]): string {
  return createHash('sha256')
    .update(
      [...studyIds]
        .map((id) => id.toLowerCase())
        .sort()
        .join('\n'),
    )
    .digest('hex');
}

export async function saveCohort(
  db: Database,
  viewer: Viewer,
  input: { projectId: string; name: string; description?: string | null; filter?: StudyFilterInput | null; modelSetId: string | null },
): Promise<SavedCohortRow> {
  if (!isUuid(input.projectId)) throw notFound('Project', input.projectId);
  requireRole(viewer, input.projectId, 'RESEARCHER');
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_COHORT_NAME)
    throw badInput(`A cohort name has 1 to ${MAX_COHORT_NAME} characters`, { field: 'name' });
  if ((input.description?.length ?? 0) > MAX_COHORT_DESCRIPTION)
    throw badInput(`A cohort description has at most ${MAX_COHORT_DESCRIPTION} characters`, { field: 'description' });
  const b = new SqlBuilder();
  const scope: ProjectScope = { kind: 'projects', projectIds: [input.projectId] };
  const where = studyFilterCondition(b, input.filter, scope, input.modelSetId);
  const ids = (await db.sql.query<{ id: string }>(`SELECT s.id FROM "Study" s WHERE ${where}`, b.params)).map((r) => r.id).sort();
  if (ids.length === 0) throw badInput('The filter matches no study of the project; a cohort needs at least one', { field: 'filter' });
  const params = [
    input.projectId,
    name,
    input.description ?? null,
    JSON.stringify(input.filter ?? {}),
    ids,
    ids.length,
    cohortHash(ids),
    viewer.userId,
    viewer.email,
  ];
  const cohortId = await withVersionRetry(() => insertVersion(db, params));
  return (await loadCohorts(db, { ids: [cohortId] }))[0];
}

/** One statement: the cohort (created on first save) and its next version. */
async function insertVersion(db: Database, params: readonly unknown[]): Promise<string> {
  const [row] = await db.sql.query<{ cohortId: string }>(
    `WITH c AS (
       INSERT INTO "SavedCohort" (id, "projectId", name) VALUES (gen_random_uuid(), $1::uuid, $2)
       ON CONFLICT ("projectId", name) DO UPDATE SET name = EXCLUDED.name RETURNING id)
     INSERT INTO "CohortVersion" (id, "cohortId", version, description, filter, "studyIds", "studyCount", hash, "createdById", "createdBy")
     SELECT gen_random_uuid(), c.id, COALESCE((SELECT max(x.version) FROM "CohortVersion" x WHERE x."cohortId" = c.id), 0) + 1,
            $3, $4::jsonb, $5::uuid[], $6, $7, $8::uuid, $9
     FROM c RETURNING "cohortId"`,
    params,
  );
  return row.cohortId;
}

/** Two saves of one name at once: the later one sees the other's version only on retry (unique violation 23505). */
async function withVersionRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 5 || (e as { code?: string }).code !== '23505') throw e;
    }
  }
}

/** The cohorts of the projects the viewer sees (or of one of them), newest version first. */
export async function listCohorts(db: Database, viewer: Viewer, projectId?: string | null): Promise<SavedCohortRow[]> {
  if (projectId && (!isUuid(projectId) || !canRead(viewer, projectId))) return [];
  const rows = await loadCohorts(db, { projectId: projectId ?? null });
  return rows.filter((c) => canRead(viewer, c.projectId));
}

/** null when it does not exist or the viewer cannot see its project (ids cannot be probed). */
export async function getCohort(db: Database, viewer: Viewer, id: string): Promise<SavedCohortRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await loadCohorts(db, { ids: [id] });
  return row && canRead(viewer, row.projectId) ? row : null;
}

/** Deletes every version; refused (CONFLICT) once an evaluation or export has cited the cohort. */
export async function deleteCohort(db: Database, viewer: Viewer, id: string): Promise<boolean> {
  const cohort = await getCohort(db, viewer, id);
  if (!cohort) throw notFound('Cohort', id);
  requireRole(viewer, cohort.projectId, 'RESEARCHER');
  if (cohort.citations > 0) {
    throw new AppError(
      'CONFLICT',
      `Cohort "${cohort.name}" has been cited by ${cohort.citations} evaluation(s) or export(s) and cannot be deleted`,
      {
        details: { cohortId: id, citations: cohort.citations },
      },
    );
  }
  // The citation FK (RESTRICT) makes a citation recorded meanwhile fail this delete instead of being orphaned.
  try {
    await db.sql.query(`DELETE FROM "SavedCohort" WHERE id = $1::uuid`, [id]);
  } catch {
    throw conflict(`Cohort "${cohort.name}" was cited while being deleted and cannot be deleted`);
  }
  return true;
}

/**
 * The cohort version a filter names, checked visible in `scope`, and a citation of it recorded; null when the
 * filter names no cohort. NOT_FOUND for an unknown or invisible cohort or version.
 */
export async function citeCohort(
  db: Database,
  args: { scope: ProjectScope; filter?: StudyFilterInput | null; kind: CitationKind; userId: string | null },
): Promise<CohortReference | null> {
  const found = await findCohortVersion(db, args);
  if (!found) return null;
  await db.sql.query(
    `INSERT INTO "CohortCitation" (id, "cohortId", "versionId", kind, "userId") VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4::uuid)`,
    [found.reference.id, found.versionId, args.kind, args.userId],
  );
  return found.reference;
}

/**
 * The cohort version a filter names, checked visible in `scope`, without recording a citation: for answers that
 * describe a cohort (cohortSummary, which the dashboard reads on every refresh) rather than evaluate it, so that
 * looking at a cohort does not make it undeletable. NOT_FOUND as citeCohort.
 */
export async function cohortReference(
  db: Database,
  args: { scope: ProjectScope; filter?: StudyFilterInput | null },
): Promise<CohortReference | null> {
  return (await findCohortVersion(db, args))?.reference ?? null;
}

async function findCohortVersion(
  db: Database,
  args: { scope: ProjectScope; filter?: StudyFilterInput | null },
): Promise<{ reference: CohortReference; versionId: string } | null> {
  const cohortId = args.filter?.cohortId;
  if (!cohortId) return null;
  const version = args.filter?.cohortVersion ?? null;
  if (!isUuid(cohortId)) throw notFound('Cohort', cohortId);
  const [v] = await db.sql.query<{ id: string; name: string; projectId: string; version: number; hash: string; studyCount: number }>(
    `SELECT v.id, c.name, c."projectId", v.version, v.hash, v."studyCount" FROM "CohortVersion" v JOIN "SavedCohort" c ON c.id = v."cohortId"
     WHERE c.id = $1::uuid AND ($2::int IS NULL OR v.version = $2::int) ORDER BY v.version DESC LIMIT 1`,
    [cohortId, version],
  );
  const visible = v && (args.scope.kind === 'all' || args.scope.projectIds.includes(v.projectId));
  if (!visible) throw notFound(version === null ? 'Cohort' : `Cohort version ${version} of cohort`, cohortId);
  return { reference: { id: cohortId, name: v.name, version: v.version, hash: v.hash, studyCount: v.studyCount }, versionId: v.id };
}

async function loadCohorts(db: Database, where: { ids?: string[]; projectId?: string | null }): Promise<SavedCohortRow[]> {
  const cohorts = await db.prisma.savedCohort.findMany({
    where: { ...(where.ids ? { id: { in: where.ids } } : {}), ...(where.projectId ? { projectId: where.projectId } : {}) },
    include: { versions: { orderBy: { version: 'desc' } }, _count: { select: { citations: true } } },
    orderBy: [{ name: 'asc' }],
  });
  return cohorts.map((c) => ({
    id: c.id,
    projectId: c.projectId,
    name: c.name,
    createdAt: c.createdAt,
    versions: c.versions,
    citations: c._count.citations,
  }));
}
