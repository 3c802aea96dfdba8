// Turns a StudyFilter into one SQL condition over `"Study" s`, so listing, counting, cohort summaries and
// exports select exactly the same studies, with the caller's project scope inside the same WHERE.
import { badInput } from '../domain/errors.js';
import type { ProjectScope, SeverityCriterionInput, StudyFilterInput } from '../domain/study-filter.js';
import { SqlBuilder } from './sql-builder.js';
import { stratifierConditions } from './strata-sql.js';
import { SEVERITIES } from '../domain/vocabulary.js';
import { isUuid } from '../domain/ids.js';

export { SqlBuilder, type SqlFragment } from './sql-builder.js';

export function studyFilterCondition(
  b: SqlBuilder,
  filter: StudyFilterInput | null | undefined,
  scope: ProjectScope,
  modelSetId: string | null,
): string {
  const parts: string[] = [];
  const projects = projectCondition(b, 's."projectId"', scope, filter?.projectId);
  if (projects !== 'TRUE') parts.push(projects);
  if (!filter) return parts.length ? parts.join(' AND ') : 'TRUE';

  if (filter.ids) {
    // A malformed id can match nothing; reject it rather than let PostgreSQL fail the cast.
    const bad = filter.ids.find((id) => !isUuid(id));
    if (bad !== undefined) throw badInput(`Study id "${bad}" is not a valid id`, { field: 'ids' });
    parts.push(`s.id = ANY(${b.param(filter.ids)}::uuid[])`);
  }
  if (filter.externalIds) parts.push(`s."externalId" = ANY(${b.param(filter.externalIds)}::text[])`);
  if (filter.labelled != null) {
    parts.push(`${filter.labelled ? '' : 'NOT '}EXISTS (SELECT 1 FROM "Label" l WHERE l."studyId" = s.id)`);
  }
  for (const type of filter.hasSeriesTypes ?? []) {
    parts.push(`EXISTS (SELECT 1 FROM "Series" se WHERE se."studyId" = s.id AND se.type = ${b.param(type)}::"SeriesType")`);
  }
  for (const c of filter.labels ?? []) parts.push(labelCriterion(b, c));
  parts.push(...stratifierConditions(b, filter));
  if (filter.cohortId) parts.push(cohortCondition(b, filter.cohortId, filter.cohortVersion));
  if (filter.predicted && filter.predicted.length > 0) {
    if (!modelSetId) throw badInput('Filtering by predictions needs a model set, and none is active', { field: 'predicted' });
    for (const c of filter.predicted) parts.push(predictionCriterion(b, c, modelSetId));
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/**
 * `AND <alias>."studyId" IN (the filtered studies)`, or nothing when the filter selects every study (`where` is
 * 'TRUE': no scope, no filter): a row's study always exists (foreign key), so the semi-join would only cost a probe
 * of Study per row.
 */
export function inStudies(alias: string, where: string): string {
  return where === 'TRUE' ? '' : `AND ${alias}."studyId" IN (SELECT s.id FROM "Study" s WHERE ${where})`;
}

/** The caller's scope and the filter's project, as a condition on `column`; 'TRUE' when they restrict nothing. */
export function projectCondition(b: SqlBuilder, column: string, scope: ProjectScope, projectId: string | null | undefined): string {
  const parts: string[] = [];
  if (scope.kind === 'projects') parts.push(`${column} = ANY(${b.param(scope.projectIds)}::uuid[])`);
  if (projectId) {
    if (!isUuid(projectId)) throw badInput(`Project id "${projectId}" is not a valid id`, { field: 'projectId' });
    parts.push(`${column} = ${b.param(projectId)}::uuid`);
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/**
 * True when the filter selects whole projects: it adds nothing to the SQL beyond the caller's scope and its
 * `projectId`. Decided on the SQL itself, so a filter field added later can never be mistaken for none.
 */
export function selectsWholeProjects(filter: StudyFilterInput | null | undefined, scope: ProjectScope, modelSetId: string | null): boolean {
  const full = studyFilterCondition(new SqlBuilder(), filter, scope, modelSetId);
  return full === projectCondition(new SqlBuilder(), 's."projectId"', scope, filter?.projectId);
}

/**
 * The frozen study ids of a saved cohort's version (the latest when none is named), as a hashed semi-join: `= ANY`
 * over a 20,000-id array would compare every study with every id. Another project's cohort selects nothing here,
 * since the caller's project scope is in the same WHERE; the use cases that cite a cohort also check it is visible.
 */
function cohortCondition(b: SqlBuilder, cohortId: string, version: number | null | undefined): string {
  if (!isUuid(cohortId)) throw badInput(`Cohort id "${cohortId}" is not a valid id`, { field: 'cohortId' });
  if (version != null && !(Number.isInteger(version) && version >= 1))
    throw badInput(`cohortVersion must be a whole number from 1, got ${version}`, { field: 'cohortVersion' });
  const c = b.param(cohortId);
  const v = version != null ? `${b.param(version)}::int` : `(SELECT max(x.version) FROM "CohortVersion" x WHERE x."cohortId" = ${c}::uuid)`;
  return `s.id IN (SELECT unnest(v."studyIds") FROM "CohortVersion" v WHERE v."cohortId" = ${c}::uuid AND v.version = ${v})`;
}

function checkCriterion(c: SeverityCriterionInput): void {
  if (c.minProbability != null && !(c.minProbability >= 0 && c.minProbability <= 1)) {
    throw badInput(`minProbability must lie in [0, 1], got ${c.minProbability}`, { field: 'minProbability' });
  }
}

function labelCriterion(b: SqlBuilder, c: SeverityCriterionInput): string {
  checkCriterion(c);
  const level = c.level ? ` AND l.level = ${b.param(c.level)}::"Level"` : '';
  return `EXISTS (SELECT 1 FROM "Label" l WHERE l."studyId" = s.id AND l.condition = ${b.param(c.condition)}::"Condition"${level} AND l.severity >= ${b.param(c.atLeast)}::"Severity")`;
}

function predictionCriterion(b: SqlBuilder, c: SeverityCriterionInput, modelSetId: string): string {
  checkCriterion(c);
  const level = c.level ? ` AND p.level = ${b.param(c.level)}::"Level"` : '';
  let probability = '';
  if (c.minProbability != null) {
    // P(severity >= atLeast) is the sum of the probabilities from atLeast upwards.
    const columns = ['p."normalMild"', 'p.moderate', 'p.severe'].slice(SEVERITIES.indexOf(c.atLeast));
    probability = ` AND (${columns.join(' + ')}) >= ${b.param(c.minProbability)}`;
  }
  return `EXISTS (SELECT 1 FROM "Prediction" p WHERE p."studyId" = s.id AND p."modelSetId" = ${b.param(modelSetId)}::uuid AND p.condition = ${b.param(c.condition)}::"Condition"${level} AND p.severity >= ${b.param(c.atLeast)}::"Severity"${probability})`;
}
