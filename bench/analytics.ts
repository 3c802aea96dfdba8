// `npm run bench -- analytics`: the research analytics queries of issue 17 over GraphQL on the API benchmark's
// database (20,000 studies x 25 labels, bench/support/api-dataset.ts) plus a second model set B (A's probabilities
// pulled 30 % towards the label) and member spreads for A: compareModelSets(bootstrap: 2000), agreement, and the
// first page (50 rows) of reviewQueue in each order. The real server (AUTH_MODE=off, loopback) runs in this process;
// requests are sent one at a time (p50 over a few runs after one warm-up: the machine is shared). Each answer is
// checked for size first. Also: the queue's index sizes per study.
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { serve as Serve } from '../src/server.js';
import { generateApiDataset } from './support/api-dataset.js';
import { postGraphql } from './support/api-queries.js';
import { withBenchDatabase } from './support/bench-database.js';
import { loadNow, machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { fmt, summarise, timeRuns, type TimingSummary } from './support/stats.js';

const STUDIES = Number(process.env.BENCH_API_STUDIES ?? 20_000);
const TARGET_P50_MS = { compareModelSets: 1000, agreement: 300, reviewQueue: 50 } as const;

const COMPARE = `query($a: ID!, $b: ID!) { compareModelSets(a: $a, b: $b, bootstrap: 2000, seed: 1) { studyCount rowCount parts { part a b difference lower upper bBetterShare } } }`;
const AGREEMENT = `query($m: ID) { agreement(modelSetId: $m) { studyCount rowCount groups { condition level rows confusion kappa { value } severeAuc { value } ece { value }
  severe { sensitivity { value } specificity { value } ppv { value } npv { value } } moderateOrWorse { sensitivity { value } }
  reliability { severity bins { bin count meanPredicted observed } } } } }`;
const QUEUE = `query($m: ID, $o: ReviewOrder) { reviewQueue(modelSetId: $m, order: $o, first: 50) { edges { cursor node { studyId externalId condition level score label predicted } } pageInfo { hasNextPage endCursor } } }`;

interface Row {
  readonly request: string;
  readonly timing: TimingSummary;
  readonly load: number;
  readonly target: number;
}

function log(message: string): void {
  process.stderr.write(`[bench analytics] ${message}\n`);
}

async function loadServe(): Promise<typeof Serve> {
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return (await import('../src/server.js')).serve;
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

export async function run(): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const serve = await loadServe();
  return withBenchDatabase('analytics', async (bench) => {
    log(`generating ${STUDIES} studies`);
    const dataset = await generateApiDataset(bench.url, { studies: STUDIES, seed: 0.2024, agreement: 0.7 });
    const client = new pg.Client({ connectionString: bench.url });
    await client.connect();
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
    await client.query(`VACUUM ANALYZE "Prediction"`);
    const prepareMs = performance.now() - started;
    const indexBytes = (
      await client.query<{ name: string; bytes: string }>(
        `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS bytes FROM pg_class c
         WHERE c.relname IN ('Prediction_modelSetId_entropy_id_idx', 'Prediction_modelSetId_memberSpread_id_idx') ORDER BY 1`,
      )
    ).rows;
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      AUTH_MODE: 'off',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: bench.url,
      PATIENT_KEY_SECRET: 'spinegraph-bench-api-secret',
    });
    const server = await serve({ config, logger: createLogger('silent'), db: bench.db, useRedis: false, port: 0 });
    try {
      const url = server.api.url;
      const a = dataset.modelSetId;
      type Compare = { compareModelSets: { studyCount: number; parts: unknown[] } };
      const c = await postGraphql<Compare>(url, COMPARE, { a, b: setB });
      if (c.compareModelSets.studyCount !== dataset.studies)
        throw new Error(`compareModelSets counted ${c.compareModelSets.studyCount} studies`);
      const g = await postGraphql<{ agreement: { rowCount: number } }>(url, AGREEMENT, { m: a });
      if (g.agreement.rowCount !== 25 * dataset.studies) throw new Error(`agreement counted ${g.agreement.rowCount} rows`);
      const rows: Row[] = [];
      const time = async (request: string, runs: number, target: number, fn: () => Promise<unknown>): Promise<void> => {
        log(`${request}: ${runs} runs`);
        rows.push({ request, timing: summarise(await timeRuns(runs, 1, fn)), load: loadNow(), target });
      };
      await time('compareModelSets (bootstrap: 2000)', 7, TARGET_P50_MS.compareModelSets, () => postGraphql(url, COMPARE, { a, b: setB }));
      await time('agreement', 11, TARGET_P50_MS.agreement, () => postGraphql(url, AGREEMENT, { m: a }));
      for (const order of ['UNCERTAINTY', 'DISAGREEMENT', 'MEMBER_SPREAD']) {
        const page = await postGraphql<{ reviewQueue: { edges: unknown[] } }>(url, QUEUE, { m: a, o: order });
        if (page.reviewQueue.edges.length !== 50) throw new Error(`reviewQueue(${order}) answered ${page.reviewQueue.edges.length} rows`);
        await time(`reviewQueue(order: ${order}, first: 50)`, 21, TARGET_P50_MS.reviewQueue, () =>
          postGraphql(url, QUEUE, { m: a, o: order }),
        );
      }
      return {
        title: `Research analytics over GraphQL on ${dataset.studies.toLocaleString('en')} studies x 25 labels, two model sets (in-process server, one request at a time)`,
        machine,
        date,
        markdown: format(dataset.studies, rows, indexBytes, prepareMs),
        raw: { rows, indexBytes, prepareMs, loadAtEnd: loadNow() },
      };
    } finally {
      await client.end();
      await server.stop();
    }
  });
}

function format(studies: number, rows: readonly Row[], indexBytes: readonly { name: string; bytes: string }[], prepareMs: number): string {
  const table = [
    '| request | runs | p50 ms | p99 ms | min ms | target p50 | met | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
    ...rows.map(
      (r) =>
        `| ${r.request} | ${r.timing.n} | ${fmt(r.timing.p50)} | ${fmt(r.timing.p99)} | ${fmt(r.timing.min)} | <= ${r.target} ms | ${r.timing.p50 <= r.target ? 'met' : '**not met**'} | ${fmt(r.load)} |`,
    ),
  ].join('\n');
  const indexes = indexBytes
    .map(
      (i) =>
        `${i.name}: ${fmt(Number(i.bytes) / 1024 / 1024)} MiB (${fmt(Number(i.bytes) / (2 * 25 * studies))} bytes a prediction row: both sets, after the UPDATE of the spreads)`,
    )
    .join('; ');
  return [
    `Dataset: the API benchmark's ${studies.toLocaleString('en')} studies (25 labels, model set A's 25 predictions each), plus model set B (A's probabilities pulled 30 % towards the label) and a member spread for each of A's rows, prepared in ${fmt(prepareMs / 1000)} s, then VACUUM ANALYZE.`,
    '',
    table,
    '',
    'compareModelSets: every study and row (20,000 studies, 500,000 paired rows), 2,000 resamples of 20,000 studies each. agreement: 30 groups (25 condition x level, 5 pooled) over 500,000 rows. reviewQueue: first page of 50 over all studies of model set A. One request at a time after one warm-up; on a shared 2-core machine latency includes the wait for a core.',
    '',
    `Review-queue index sizes: ${indexes}.`,
  ].join('\n');
}
