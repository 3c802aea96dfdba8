// The research analytics rows of issue 17, on the API benchmark's database (bench/support/api-dataset.ts): a second
// model set B (A's probabilities pulled 30 % towards the label) and member spreads for A are added, then
// compareModelSets(bootstrap: 2000), agreement and the first page (50 rows) of reviewQueue in each order are timed
// over GraphQL, one request at a time (p50 over a few runs after one warm-up: the machine is shared). Each answer is
// checked for size first. Run by `npm run bench -- api` (beside its cohortSummary rows) and `-- analytics` (alone).
import type pg from 'pg';
import type { ApiDataset } from './api-dataset.js';
import { postGraphql } from './api-queries.js';
import { loadNow } from './machine.js';
import { fmt, summarise, timeRuns, type TimingSummary } from './stats.js';

export const ANALYTICS_TARGET_P50_MS = { compareModelSets: 1000, agreement: 300, reviewQueue: 50 } as const;

const COMPARE = `query($a: ID!, $b: ID!) { compareModelSets(a: $a, b: $b, bootstrap: 2000, seed: 1) { studyCount rowCount parts { part a b difference lower upper bBetterShare } } }`;
const AGREEMENT = `query($m: ID) { agreement(modelSetId: $m) { studyCount rowCount groups { condition level rows confusion kappa { value } severeAuc { value } ece { value }
  severe { sensitivity { value } specificity { value } ppv { value } npv { value } } moderateOrWorse { sensitivity { value } }
  reliability { severity bins { bin count meanPredicted observed } } } } }`;
const QUEUE = `query($m: ID, $o: ReviewOrder) { reviewQueue(modelSetId: $m, order: $o, first: 50) { edges { cursor node { studyId externalId condition level score label predicted } } pageInfo { hasNextPage endCursor } } }`;

export interface AnalyticsRow {
  readonly request: string;
  readonly timing: TimingSummary;
  readonly load: number;
  readonly target: number;
}

export interface AnalyticsSetup {
  readonly setB: string;
  readonly prepareMs: number;
  readonly indexBytes: readonly { name: string; bytes: string }[];
}

/** Model set B and A's member spreads, as inference would store them; then VACUUM ANALYZE. */
export async function prepareAnalytics(client: pg.Client, dataset: ApiDataset): Promise<AnalyticsSetup> {
  const started = performance.now();
  const setB = (
    await client.query<{ id: string }>(
      `INSERT INTO "ModelSet" (id, name, "contentHash", "isActive") VALUES (gen_random_uuid(), 'bench-analytics-b', md5('b'), false) RETURNING id`,
    )
  ).rows[0].id;
  await client.query('SELECT setseed(0.17)');
  // B: A's probabilities pulled 30 % towards the label's class; A: a member spread per row (as inference stores).
  await client.query(
    `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
     SELECT gen_random_uuid(), q."studyId", q.condition, q.level, q.a, q.b, q.c,
            (CASE WHEN q.a >= q.b AND q.a >= q.c THEN 'NORMAL_MILD' WHEN q.b >= q.c THEN 'MODERATE' ELSE 'SEVERE' END)::"Severity", $2::uuid, now()
     FROM (SELECT p."studyId", p.condition, p.level,
                  0.7 * p."normalMild" + 0.3 * (l.severity = 'NORMAL_MILD')::int AS a,
                  0.7 * p.moderate + 0.3 * (l.severity = 'MODERATE')::int AS b,
                  0.7 * p.severe + 0.3 * (l.severity = 'SEVERE')::int AS c
           FROM "Prediction" p JOIN "Label" l ON l."studyId" = p."studyId" AND l.condition = p.condition AND l.level = p.level
           WHERE p."modelSetId" = $1::uuid) q`,
    [dataset.modelSetId, setB],
  );
  await client.query(`UPDATE "Prediction" SET "memberSpread" = 0.6 * random() WHERE "modelSetId" = $1::uuid`, [dataset.modelSetId]);
  await client.query(`VACUUM ANALYZE "Prediction", "StudyMetricTerms"`);
  const prepareMs = performance.now() - started;
  const indexBytes = (
    await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS bytes FROM pg_class c
       WHERE c.relname IN ('Prediction_modelSetId_entropy_id_idx', 'Prediction_modelSetId_memberSpread_id_idx', 'Prediction_modelSetId_weightedLoss_id_idx',
                           'Prediction_modelSetId_studyId_condition_level_labelSeverity_idx') ORDER BY 1`,
    )
  ).rows;
  return { setB, prepareMs, indexBytes };
}

/** Times the analytics requests against the running server at `url`. */
export async function timeAnalytics(
  url: string,
  dataset: ApiDataset,
  setB: string,
  log: (message: string) => void,
  runs = { compare: 7, agreement: 11, queue: 21 },
): Promise<AnalyticsRow[]> {
  const a = dataset.modelSetId;
  type Compare = { compareModelSets: { studyCount: number; parts: unknown[] } };
  const c = await postGraphql<Compare>(url, COMPARE, { a, b: setB });
  if (c.compareModelSets.studyCount !== dataset.studies)
    throw new Error(`compareModelSets counted ${c.compareModelSets.studyCount} studies`);
  const g = await postGraphql<{ agreement: { rowCount: number } }>(url, AGREEMENT, { m: a });
  if (g.agreement.rowCount !== 25 * dataset.studies) throw new Error(`agreement counted ${g.agreement.rowCount} rows`);
  const rows: AnalyticsRow[] = [];
  const time = async (request: string, n: number, target: number, fn: () => Promise<unknown>): Promise<void> => {
    log(`${request}: ${n} runs`);
    rows.push({ request, timing: summarise(await timeRuns(n, 1, fn)), load: loadNow(), target });
  };
  const T = ANALYTICS_TARGET_P50_MS;
  await time('compareModelSets (bootstrap: 2000)', runs.compare, T.compareModelSets, () => postGraphql(url, COMPARE, { a, b: setB }));
  await time('agreement', runs.agreement, T.agreement, () => postGraphql(url, AGREEMENT, { m: a }));
  for (const order of ['UNCERTAINTY', 'DISAGREEMENT', 'MEMBER_SPREAD']) {
    const page = await postGraphql<{ reviewQueue: { edges: unknown[] } }>(url, QUEUE, { m: a, o: order });
    if (page.reviewQueue.edges.length !== 50) throw new Error(`reviewQueue(${order}) answered ${page.reviewQueue.edges.length} rows`);
    await time(`reviewQueue(order: ${order}, first: 50)`, runs.queue, T.reviewQueue, () => postGraphql(url, QUEUE, { m: a, o: order }));
  }
  return rows;
}

export function formatAnalytics(studies: number, rows: readonly AnalyticsRow[], setup: AnalyticsSetup): string {
  const n = (x: number): string => x.toLocaleString('en');
  const table = [
    '| request | runs | p50 ms | p99 ms | min ms | target p50 | met | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
    ...rows.map(
      (r) =>
        `| ${r.request} | ${r.timing.n} | ${fmt(r.timing.p50)} | ${fmt(r.timing.p99)} | ${fmt(r.timing.min)} | <= ${r.target} ms | ${r.timing.p50 <= r.target ? 'met' : '**not met**'} | ${fmt(r.load)} |`,
    ),
  ].join('\n');
  const indexes = setup.indexBytes
    .map(
      (i) => `${i.name}: ${fmt(Number(i.bytes) / 1024 / 1024)} MiB (${fmt(Number(i.bytes) / (2 * 25 * studies))} bytes a prediction row)`,
    )
    .join('; ');
  return [
    `Dataset: the ${studies.toLocaleString('en')} studies above (25 labels, model set A's 25 predictions each), plus model set B (A's probabilities pulled 30 % towards the label) and a member spread for each of A's rows, prepared in ${fmt(setup.prepareMs / 1000)} s, then VACUUM ANALYZE.`,
    '',
    table,
    '',
    `compareModelSets: every study and row (${n(studies)} studies, ${n(25 * studies)} paired rows), 2,000 resamples of ${n(studies)} studies each. agreement: 30 groups (25 condition x level, 5 pooled) over ${n(25 * studies)} rows. reviewQueue: first page of 50 over all studies of model set A. One request at a time after one warm-up; on a shared 2-core machine latency includes the wait for a core, so min is the nearer estimate of the cost.`,
    '',
    `Index sizes (both sets, after the UPDATE of the spreads): ${indexes}.`,
  ].join('\n');
}
