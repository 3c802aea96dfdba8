import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import type { ProjectScope, StudyFilterInput, StudySelection } from '../domain/study-filter.js';

export type { StudySelection };
import { decodeCursor, encodeCursor } from './cursor.js';
import { SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export interface StudyRow {
  readonly id: string;
  readonly externalId: string;
  readonly projectId: string;
  readonly createdAt: Date;
}

export interface StudyPage {
  readonly nodes: StudyRow[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

export interface ListStudiesArgs extends StudySelection {
  readonly first: number;
  readonly after?: string | null;
}

/** One page of studies in (createdAt, id) order, in SQL. */
export async function listStudies(db: Database, args: ListStudiesArgs): Promise<StudyPage> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  let keyset = '';
  if (args.after) {
    const key = decodeCursor(args.after);
    keyset = ` AND (s."createdAt", s.id) > (${b.param(key.createdAt)}::timestamptz, ${b.param(key.id)}::uuid)`;
  }
  const limit = b.param(args.first + 1);
  const rows = await db.sql.query<{ id: string; externalId: string; projectId: string; createdAt: Date | string }>(
    `SELECT s.id, s."externalId", s."projectId", s."createdAt" FROM "Study" s WHERE ${where}${keyset} ORDER BY s."createdAt", s.id LIMIT ${limit}`,
    b.params,
  );
  const nodes = rows
    .slice(0, args.first)
    .map((r) => ({ id: r.id, externalId: r.externalId, projectId: r.projectId, createdAt: new Date(r.createdAt) }));
  return { nodes, cursors: nodes.map(encodeCursor), hasNextPage: rows.length > args.first, hasPreviousPage: Boolean(args.after) };
}

/** How many studies the selection holds, whatever the page. */
export async function countStudies(db: Database, selection: StudySelection): Promise<number> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, selection.filter, selection.scope, selection.modelSetId);
  const rows = await db.sql.query<{ n: number | string }>(`SELECT count(*)::int AS n FROM "Study" s WHERE ${where}`, b.params);
  return Number(rows[0]?.n ?? 0);
}

/** Every study id the filter selects (for cohort jobs), with its project; refuses selections above `limit`. */
export async function selectStudyIds(
  db: Database,
  scope: ProjectScope,
  filter: StudyFilterInput | null | undefined,
  modelSetId: string | null,
  limit = 50_000,
): Promise<{ id: string; projectId: string }[]> {
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, filter, scope, modelSetId);
  const rows = await db.sql.query<{ id: string; projectId: string }>(
    `SELECT s.id, s."projectId" FROM "Study" s WHERE ${where} ORDER BY s."createdAt", s.id LIMIT ${b.param(limit + 1)}`,
    b.params,
  );
  if (rows.length > limit) throw badInput(`The selection holds more than ${limit} studies; narrow the filter`);
  return rows;
}
