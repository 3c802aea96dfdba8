// reviewQueue and markReviewed over the real server (JWT, PostgreSQL): each order ranks exactly as computed here
// from the raw rows, pages cover the queue once, members' probabilities written by the real result writer rank
// MEMBER_SPREAD, a reviewed row leaves the queue with its correction kept beside the untouched label and audited;
// viewers, other projects and the unauthenticated may not mark rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, SEVERITY_WEIGHT } from '../../src/domain/vocabulary.js';
import type { PredictionRow, StudyResult } from '../../src/inference/types.js';
import { writeStudyResult } from '../../src/services/inference/result-writer.js';
import { insertAnalyticsStudies, insertModelSet, type AnalyticsRow, type Triple } from '../support/analytics-data.js';
import { errorCode, postGraphQL, queryData, startSecurityStack, type SecurityStack, type TestUser } from '../support/security-fixture.js';

let stack: SecurityStack;
let set: string;
let rowsA: AnalyticsRow[];
/** Per "study|condition|level" of the two studies written with members: the members. */
const members = new Map<string, Triple[]>();
const key = (r: { studyId?: string; study?: string; condition: string; level: string }): string =>
  `${r.studyId ?? r.study}|${r.condition}|${r.level}`;

beforeAll(async () => {
  stack = await startSecurityStack();
  set = await insertModelSet(stack.db, 'review-set');
  rowsA = await insertAnalyticsStudies(stack.db, { projectId: stack.projects.a.id, studies: 30, seed: 5, sets: [set], agreement: [0.6] });
  await insertAnalyticsStudies(stack.db, { projectId: stack.projects.b.id, studies: 4, seed: 6, sets: [set], agreement: [0.6] });
  // Two studies rewritten by the inference result writer with 3 to 5 members a row (the ensemble's own numbers kept).
  let seed = 1;
  const u = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const study of [...new Set(rowsA.map((r) => r.study))].slice(0, 2)) {
    const predictions: PredictionRow[] = rowsA
      .filter((r) => r.study === study)
      .map((r) => {
        const m: Triple[] = Array.from({ length: 3 + Math.floor(u() * 3) }, () => {
          const raw: Triple = [u(), u(), u()];
          const s = raw[0] + raw[1] + raw[2];
          return [raw[0] / s, raw[1] / s, raw[2] / s];
        });
        members.set(key(r), m);
        const [a, b, c] = r.p[set];
        return {
          condition: r.condition,
          level: r.level,
          normalMild: a,
          moderate: b,
          severe: c,
          fallbackCodes: [],
          modelsUsed: m.length,
          modelsExpected: m.length,
          members: m,
        };
      });
    const result: StudyResult = {
      studyId: study,
      predictions,
      keypoints: [],
      missingKeypoints: [],
      warnings: [],
      timings: { stagesMs: {}, wallMs: 0, studiesInBatch: 1 },
    };
    await writeStudyResult(stack.db, result, set, null);
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const QUEUE = `query($m: ID, $o: ReviewOrder, $first: Int, $after: String, $f: StudyFilter) {
  reviewQueue(modelSetId: $m, order: $o, first: $first, after: $after, filter: $f) {
    edges { cursor node { predictionId studyId externalId projectId condition level score normalMild moderate severe predicted label members } }
    pageInfo { hasNextPage endCursor } } }`;
interface Row {
  predictionId: string;
  studyId: string;
  projectId: string;
  condition: string;
  level: string;
  score: number;
  label: string | null;
  members: number;
}
interface QueueData {
  reviewQueue: { edges: { cursor: string; node: Row }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function wholeQueue(user: TestUser, order: string, first: number): Promise<Row[]> {
  const out: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const d: QueueData = await queryData<QueueData>(stack.url, QUEUE, { m: set, o: order, first, after }, user.headers);
    out.push(...d.reviewQueue.edges.map((e) => e.node));
    if (!d.reviewQueue.pageInfo.hasNextPage) return out;
    after = d.reviewQueue.pageInfo.endCursor;
  }
}

const entropy = (p: Triple): number => -p.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
const EPS = 2.220446049250313e-16;
function weightedLoss(r: AnalyticsRow): number {
  const c = r.p[set].map((x) => Math.min(Math.max(x, EPS), 1 - EPS));
  return SEVERITY_WEIGHT[SEVERITIES[r.label]] * -Math.log(c[r.label] / (c[0] + c[1] + c[2]));
}
function spread(m: readonly Triple[]): number {
  const f = m.map((t) => t.map(Math.fround));
  return Math.max(...[0, 1, 2].map((k) => Math.max(...f.map((t) => t[k])) - Math.min(...f.map((t) => t[k]))));
}

function expectRanking(rows: Row[], expected: { key: string; score: number }[]): void {
  expected.sort((x, y) => y.score - x.score);
  expect(rows).toHaveLength(expected.length);
  expect(new Set(rows.map((r) => r.predictionId)).size).toBe(rows.length);
  rows.forEach((r, i) => {
    expect(Math.abs(r.score - expected[i].score)).toBeLessThan(1e-12);
    if (i > 0) expect(r.score).toBeLessThanOrEqual(rows[i - 1].score);
  });
  // Same rows (scores are distinct in this data, so the order is the order).
  expect(rows.map((r) => key(r))).toEqual(expected.map((e) => e.key));
}

describe('reviewQueue', () => {
  it('UNCERTAINTY: every row of the caller’s projects by entropy, highest first, over pages of 64', async () => {
    const rows = await wholeQueue(stack.users.researcherA, 'UNCERTAINTY', 64);
    expectRanking(
      rows,
      rowsA.map((r) => ({ key: key(r), score: entropy(r.p[set]) })),
    );
    expect(rows.every((r) => r.projectId === stack.projects.a.id)).toBe(true);
  });

  it('DISAGREEMENT: the metric-weighted loss against the label, a missed severe first', async () => {
    const rows = await wholeQueue(stack.users.researcherA, 'DISAGREEMENT', 200);
    expectRanking(
      rows,
      rowsA.map((r) => ({ key: key(r), score: weightedLoss(r) })),
    );
    expect(rows[0].label).toBe('SEVERE');
  });

  it('MEMBER_SPREAD: only rows with members, by the spread of the stored (float32) members', async () => {
    const rows = await wholeQueue(stack.users.researcherA, 'MEMBER_SPREAD', 7);
    expectRanking(
      rows,
      [...members].map(([k, m]) => ({ key: k, score: spread(m) })),
    );
    expect(rows.every((r) => r.members >= 3 && r.members === members.get(key(r))?.length)).toBe(true);
  });

  it('pages follow the cursor; a forged cursor is BAD_USER_INPUT; the unauthenticated are refused', async () => {
    const first = await queryData<QueueData>(stack.url, QUEUE, { m: set, o: 'UNCERTAINTY', first: 5 }, stack.users.viewerA.headers);
    expect(first.reviewQueue.edges).toHaveLength(5);
    const bad = await postGraphQL(stack.url, QUEUE, { m: set, first: 5, after: 'bm90LWEtY3Vyc29y' }, stack.users.researcherA.headers);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorCode(await postGraphQL(stack.url, QUEUE, { m: set, first: 5 }))).toBe('UNAUTHENTICATED');
    const b = await wholeQueue(stack.users.researcherB, 'UNCERTAINTY', 200);
    expect(b).toHaveLength(4 * 25);
    const foreign = await queryData<QueueData>(
      stack.url,
      QUEUE,
      { m: set, first: 5, f: { projectId: stack.projects.a.id } },
      stack.users.researcherB.headers,
    );
    expect(foreign.reviewQueue.edges).toEqual([]);
  });
});

const MARK = `mutation($i: MarkReviewedInput!) { markReviewed(input: $i) { studyId condition level severity labelSeverity note reviewedById reviewedAt } }`;

describe('markReviewed', () => {
  it('takes the row out of the queue, keeps the label, stores the correction (source review) and audits it', async () => {
    const before = await queryData<QueueData>(stack.url, QUEUE, { m: set, o: 'DISAGREEMENT', first: 2 }, stack.users.researcherA.headers);
    const top = before.reviewQueue.edges[0].node;
    const input = { studyId: top.studyId, condition: top.condition, level: top.level, severity: 'MODERATE', note: 'looks moderate' };
    const marked = await queryData<{ markReviewed: Record<string, unknown> }>(
      stack.url,
      MARK,
      { i: input },
      stack.users.researcherA.headers,
    );
    expect(marked.markReviewed).toMatchObject({ ...input, labelSeverity: top.label, reviewedById: stack.users.researcherA.id });
    const after = await queryData<QueueData>(stack.url, QUEUE, { m: set, o: 'DISAGREEMENT', first: 1 }, stack.users.researcherA.headers);
    expect(after.reviewQueue.edges[0].node.predictionId).toBe(before.reviewQueue.edges[1].node.predictionId);
    for (const order of ['UNCERTAINTY', 'DISAGREEMENT']) {
      const all = await wholeQueue(stack.users.researcherA, order, 500);
      expect(all.some((r) => r.predictionId === top.predictionId)).toBe(false);
    }
    const [label] = await stack.db.sql.query<{ severity: string; source: string }>(
      `SELECT severity::text, source::text FROM "Label" WHERE "studyId" = $1 AND condition = $2::"Condition" AND level = $3::"Level"`,
      [top.studyId, top.condition, top.level],
    );
    expect(label).toEqual({ severity: top.label, source: 'SYNTHETIC' });
    const audit = await stack.db.sql.query<{ outcome: string }>(
      `SELECT outcome::text FROM "AuditEvent" WHERE action = 'mutation.markReviewed' AND "userId" = $1`,
      [stack.users.researcherA.id],
    );
    expect(audit.map((a) => a.outcome)).toContain('SUCCESS');
  });

  it('is refused to a viewer (FORBIDDEN), to another project (NOT_FOUND) and to the unauthenticated', async () => {
    const row = rowsA[100];
    const input = { studyId: row.study, condition: row.condition, level: row.level };
    const as = (u: TestUser | null) => postGraphQL(stack.url, MARK, { i: input }, u ? u.headers : {});
    expect(errorCode(await as(stack.users.viewerA))).toBe('FORBIDDEN');
    expect(errorCode(await as(stack.users.researcherB))).toBe('NOT_FOUND');
    expect(errorCode(await as(null))).toBe('UNAUTHENTICATED');
    const [{ n }] = await stack.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "ReviewMark" WHERE "studyId" = $1`, [
      row.study,
    ]);
    expect(n).toBe(0);
    // Control: the project's researcher may.
    expect(errorCode(await as(stack.users.researcherA))).toBeUndefined();
  });
});
