// The review queue: a model set's (study, condition, level) rows a person should look at first, highest score
// first: the entropy of the ensemble's probabilities (UNCERTAINTY), the row's weighted loss against its label as in
// the metric, so a missed severe (weight 4) comes first (DISAGREEMENT), or the largest spread between the
// ensemble's members (MEMBER_SPREAD). Reviewed rows (ReviewMark) leave it. Keyset pages on (score, prediction id);
// every order walks an index of Prediction backwards (entropy, memberSpread, weightedLoss: the metric's term of the
// row, kept beside its copy of the label, migration 20261203162500_prediction_label_loss), so a page costs its rows.
import type { Database } from '../db/client.js';
import { badInput } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';
import type { ProjectScope, StudyFilterInput } from '../domain/study-filter.js';
import type { Condition, Level, Severity } from '../domain/vocabulary.js';
import { SqlBuilder, studyFilterCondition } from './study-filter-sql.js';

export const REVIEW_ORDERS = ['UNCERTAINTY', 'DISAGREEMENT', 'MEMBER_SPREAD'] as const;
export type ReviewOrder = (typeof REVIEW_ORDERS)[number];

export interface ReviewRow {
  readonly predictionId: string;
  readonly studyId: string;
  readonly externalId: string;
  readonly projectId: string;
  readonly condition: Condition;
  readonly level: Level;
  readonly score: number;
  readonly normalMild: number;
  readonly moderate: number;
  readonly severe: number;
  readonly predicted: Severity;
  readonly label: Severity | null;
  readonly members: number;
}

export interface ReviewPage {
  readonly nodes: readonly ReviewRow[];
  readonly cursors: readonly string[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

export interface ReviewQueueArgs {
  readonly scope: ProjectScope;
  readonly filter?: StudyFilterInput | null;
  readonly modelSetId: string | null;
  readonly order: ReviewOrder;
  readonly first: number;
  readonly after?: string | null;
}

const encode = (score: number, id: string): string => Buffer.from(`${score}|${id}`, 'utf8').toString('base64url');

function decode(cursor: string): { score: number; id: string } {
  const [score, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const value = Number(score);
  if (!id || rest.length > 0 || !isUuid(id) || score === '' || !Number.isFinite(value)) {
    throw badInput(`Cursor "${cursor.slice(0, 120)}" is not valid; pass an endCursor this API returned`, { field: 'after' });
  }
  return { score: value, id };
}

export async function reviewQueue(db: Database, args: ReviewQueueArgs): Promise<ReviewPage> {
  if (!args.modelSetId) throw badInput('No model set is active; name one with modelSetId');
  const b = new SqlBuilder();
  const where = studyFilterCondition(b, args.filter, args.scope, args.modelSetId);
  const m = b.param(args.modelSetId);
  const score = SCORE_SQL[args.order];
  // Rows without a score (no members; no label) are not in that queue.
  const extra = args.order === 'UNCERTAINTY' ? '' : ` AND ${score} IS NOT NULL`;
  let keyset = '';
  if (args.after) {
    const c = decode(args.after);
    keyset = ` AND (${score}, p.id) < (${b.param(c.score)}::float8, ${b.param(c.id)}::uuid)`;
  }
  const rows = await db.sql.query<Omit<ReviewRow, 'members'> & { members: number | null }>(
    `SELECT p.id AS "predictionId", p."studyId", s."externalId", s."projectId", p.condition::text AS condition, p.level::text AS level,
            ${score} AS score, p."normalMild", p.moderate, p.severe, p.severity::text AS predicted, p."labelSeverity"::text AS label,
            (length(p."memberProbabilities") / 12)::int AS members
     FROM "Prediction" p JOIN "Study" s ON s.id = p."studyId"
     WHERE p."modelSetId" = ${m}::uuid AND ${where}${extra}${keyset}
       AND NOT EXISTS (SELECT 1 FROM "ReviewMark" r WHERE r."studyId" = p."studyId" AND r.condition = p.condition AND r.level = p.level)
     ORDER BY ${score} DESC, p.id DESC
     LIMIT ${b.param(args.first + 1)}`,
    b.params,
  );
  const nodes = rows.slice(0, args.first).map((r) => ({ ...r, members: r.members ?? 0 }));
  return {
    nodes,
    cursors: nodes.map((r) => encode(r.score, r.predictionId)),
    hasNextPage: rows.length > args.first,
    hasPreviousPage: Boolean(args.after),
  };
}

/** The order's score, a column of Prediction `p` with an index on (modelSetId, score, id). */
const SCORE_SQL: Readonly<Record<ReviewOrder, string>> = {
  UNCERTAINTY: 'p.entropy',
  MEMBER_SPREAD: 'p."memberSpread"',
  // The label's weight x the row's clipped log loss, as the metric weighs it: a missed severe first.
  DISAGREEMENT: 'p."weightedLoss"',
};
