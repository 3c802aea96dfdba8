// Cohort aggregates, computed in SQL over the same filtered study set that `studies` lists.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity, type SeveritySource } from '../domain/vocabulary.js';
import type { Stratifier } from '../domain/stratifiers.js';
import { groupCellCounts } from './cohort-groups.js';
import {
  keyOf,
  normaliseGroupBy,
  suppressGroups,
  type GroupAnswer,
  type Grouped,
  type GroupingInfo,
  type SuppressionPolicy,
} from './strata.js';
import { cohortReference, type CohortReference } from './saved-cohorts.service.js';
import { projectCondition, selectsWholeProjects, SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export type { SeveritySource };

export interface CohortCellRow {
  readonly condition: Condition;
  readonly level: Level;
  readonly severity: Severity;
  readonly count: number;
  readonly fraction: number;
}

export interface CohortSummaryResult {
  readonly studyCount: number;
  readonly source: SeveritySource;
  readonly modelSetId: string | null;
  readonly cells: CohortCellRow[];
  /** The saved cohort the filter named (shown, not cited: a summary describes the cohort), null when none. */
  readonly cohort: CohortReference | null;
  /** null without groupBy. */
  readonly grouping: GroupingInfo | null;
  readonly groups: readonly GroupAnswer<CohortCellRow[]>[];
}

export interface CohortSummaryArgs {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId: string | null;
  readonly source: SeveritySource;
  readonly groupBy?: readonly Stratifier[] | null;
  /** Required with groupBy: who may see small groups. */
  readonly policy?: SuppressionPolicy;
}

export async function cohortSummary(db: Database, args: CohortSummaryArgs): Promise<CohortSummaryResult> {
  if (args.source === 'PREDICTED' && !args.modelSetId)
    throw badInput('No model set is active; name one with modelSetId or use source: LABELLED');
  const groupBy = normaliseGroupBy(args.groupBy);
  const [cohort, overall, grouped] = await Promise.all([
    cohortReference(db, args),
    overallSummary(db, args),
    groupBy.length ? groupedCells(db, args, groupBy) : Promise.resolve(null),
  ]);
  return { ...overall, cohort, grouping: grouped?.grouping ?? null, groups: grouped?.groups ?? [] };
}

async function overallSummary(db: Database, args: CohortSummaryArgs): Promise<Omit<CohortSummaryResult, 'cohort' | 'grouping' | 'groups'>> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  const cellCounts = selectsWholeProjects(args.filter, args.scope, args.modelSetId)
    ? maintainedCellCounts(b, args)
    : countedCellCounts(b, where, args);
  // One row per non-empty cell, each carrying the study count; a single row with NULL cells when there are none.
  const rows = await db.sql.query<{
    condition: Condition | null;
    level: Level | null;
    severity: Severity | null;
    n: number | null;
    studies: number;
  }>(
    `SELECT c.condition::text AS condition, c.level::text AS level, c.severity::text AS severity, c.n, f.studies
     FROM (SELECT count(*)::int AS studies FROM "Study" s WHERE ${where}) f
     LEFT JOIN (${cellCounts}) c ON TRUE`,
    b.params,
  );
  let studyCount = 0;
  for (const r of rows) studyCount = Number(r.studies);
  return { studyCount, source: args.source, modelSetId: args.source === 'PREDICTED' ? args.modelSetId : null, cells: allCells(rows) };
}

/** All 75 cells from the non-empty ones counted. */
function allCells(
  rows: readonly { condition: Condition | null; level: Level | null; severity: Severity | null; n: number | null }[],
): CohortCellRow[] {
  const counts = new Map<string, number>();
  for (const r of rows) if (r.condition) counts.set(`${r.condition}|${r.level}|${r.severity}`, Number(r.n));
  const cells: CohortCellRow[] = [];
  for (const condition of CONDITIONS) {
    for (const level of LEVELS) {
      const graded = SEVERITIES.reduce((n, s) => n + (counts.get(`${condition}|${level}|${s}`) ?? 0), 0);
      for (const severity of SEVERITIES) {
        const count = counts.get(`${condition}|${level}|${severity}`) ?? 0;
        cells.push({ condition, level, severity, count, fraction: graded ? count / graded : 0 });
      }
    }
  }
  return cells;
}

/** The cells of every group in one query (cohort-groups.ts), then suppression. */
async function groupedCells(db: Database, args: CohortSummaryArgs, groupBy: readonly Stratifier[]): Promise<Grouped<CohortCellRow[]>> {
  if (!args.policy) throw new Error('cohortSummary: groupBy needs a suppression policy');
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  const groups = await groupCellCounts(db, b, where, groupBy, args.source, args.modelSetId);
  return suppressGroups(
    groupBy,
    groups.map((g) => ({ key: keyOf(groupBy, g.key), studyCount: g.studies, result: allCells(g.cells) })),
    args.policy,
  );
}

type CellCountArgs = { scope: ProjectScope; filter?: StudyFilterInput | null; modelSetId: string | null; source: SeveritySource };

/**
 * Whole projects: the per-project counts that the database's triggers keep (PredictionCellCount, LabelCellCount),
 * 75 rows per project, instead of counting every prediction of the cohort.
 */
function maintainedCellCounts(b: SqlBuilder, args: CellCountArgs): string {
  const projects = projectCondition(b, 'k."projectId"', args.scope, args.filter?.projectId);
  const table =
    args.source === 'PREDICTED'
      ? `"PredictionCellCount" k WHERE k."modelSetId" = ${b.param(args.modelSetId)}::uuid AND`
      : `"LabelCellCount" k WHERE`;
  return `SELECT k.condition, k.level, k.severity, sum(k.count)::int AS n FROM ${table} ${projects} GROUP BY 1, 2, 3`;
}

/** Any other filter: the rows of the filtered studies, counted. */
function countedCellCounts(b: SqlBuilder, where: string, args: CellCountArgs): string {
  // The filtered studies enter as a semi-join, so PostgreSQL hashes the study set (the small side) and streams the
  // rows through it; a join against a materialised CTE had it hash every prediction instead (500k rows spilled to
  // disk in the API benchmark: 3x slower).
  const inFiltered = ` AND r."studyId" IN (SELECT s.id FROM "Study" s WHERE ${where})`;
  const rowsOf =
    args.source === 'PREDICTED'
      ? `"Prediction" r WHERE r."modelSetId" = ${b.param(args.modelSetId)}::uuid${inFiltered}`
      : `"Label" r WHERE TRUE${inFiltered}`;
  return `SELECT r.condition, r.level, r.severity, count(*)::int AS n FROM ${rowsOf} GROUP BY 1, 2, 3`;
}
