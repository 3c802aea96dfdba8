// `npm run bench -- api`: the GraphQL API on a generated database of 20,000 studies with 25 predictions and 25 labels
// each. The real server (serve(), AUTH_MODE=off, loopback) runs in this process; autocannon loads three requests
// for a bounded time each, at one connection (latency) and at several (throughput); the SQL behind cohortSummary and
// the filtered page is captured from the services and timed directly through pg, and EXPLAIN ANALYZEd, in the same
// run. Every answer is first checked against counts taken directly in SQL. Then issue 17's research analytics rows
// (compareModelSets, agreement, reviewQueue: bench/support/analytics-rows.ts) on the same database, one request at a
// time. The database is dropped at the end.
import pg from 'pg';
import { LOCAL_ADMIN } from '../src/auth/viewer.js';
import { loadConfig } from '../src/config.js';
import type { StudyFilterInput } from '../src/domain/study-filter.js';
import { createLogger } from '../src/logger.js';
import type { serve as Serve } from '../src/server.js';
import type { cohortSummary as CohortSummary } from '../src/services/cohort.service.js';
import type { countStudies as CountStudies, listStudies as ListStudies } from '../src/services/studies.service.js';
import { formatAnalytics, prepareAnalytics, timeAnalytics } from './support/analytics-rows.js';
import { generateApiDataset, type ApiDataset } from './support/api-dataset.js';
import {
  checkAnswers,
  COHORT_SUMMARY,
  COHORT_SUMMARY_BY_AGE_BAND,
  FILTERED_PAGE,
  postGraphql,
  STUDY_DETAIL,
} from './support/api-queries.js';
import { withBenchDatabase } from './support/bench-database.js';
import { loadGraphql, type LoadResult } from './support/http-load.js';
import { loadNow, machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { backendCpuDuring, serialCpuPerRun } from './support/pg-cpu.js';
import { captureSql, explainAnalyze, type CapturedStatement } from './support/sql-capture.js';
import { fmt, summarise, timeRuns, type TimingSummary } from './support/stats.js';

/** The size; a smaller BENCH_API_STUDIES is for trying the benchmark out. */
const STUDIES = Number(process.env.BENCH_API_STUDIES ?? 20_000);
const LOAD_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const THROUGHPUT_CONNECTIONS = 8;
const SQL_RUNS = 50;
const TARGET_P50_MS = { cohortSummary: 50, filteredPage: 25, cohortSummaryByAgeBand: 300 } as const;
const SEVERE_L45_CANAL: StudyFilterInput = { predicted: [{ condition: 'SPINAL_CANAL_STENOSIS', level: 'L4_L5', atLeast: 'SEVERE' }] };

type RequestName = 'cohortSummary' | 'cohortSummaryByAgeBand' | 'filteredPage' | 'studyDetail';

interface MeasuredLoad {
  readonly request: RequestName;
  readonly result: LoadResult;
  /** CPU of the server's PostgreSQL backends per request (parallel workers not counted). */
  readonly pgCpuMsPerRequest: number;
  /** 1-minute load average when the load ended. */
  readonly load: number;
}

interface TimedStatement {
  readonly label: string;
  readonly sql: string;
  readonly timing: TimingSummary;
  /** CPU of one backend per run, parallel query off: the statement's cost whatever else the machine runs. */
  readonly serialCpuMs: number;
  readonly explainMs: number;
  readonly plan: string[];
}

/**
 * The server as deployed (the Dockerfile sets NODE_ENV=production): graphql-js reads NODE_ENV once, when it is first
 * loaded, and skips its development-only checks in production, so the server modules are loaded here, not statically.
 */
async function loadServer(): Promise<{
  serve: typeof Serve;
  cohortSummary: typeof CohortSummary;
  listStudies: typeof ListStudies;
  countStudies: typeof CountStudies;
}> {
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const [{ serve }, { cohortSummary }, { listStudies, countStudies }] = await Promise.all([
      import('../src/server.js'),
      import('../src/services/cohort.service.js'),
      import('../src/services/studies.service.js'),
    ]);
    return { serve, cohortSummary, listStudies, countStudies };
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

export async function run(): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const { serve, cohortSummary, listStudies, countStudies } = await loadServer();
  return withBenchDatabase('api', async (bench) => {
    log(`generating ${STUDIES} studies with 25 labels and 25 predictions each`);
    const dataset = await generateApiDataset(bench.url, { studies: STUDIES, seed: 0.2024, agreement: 0.7 });
    log(`generated in ${fmt(dataset.generateMs / 1000)} s`);
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
    const client = new pg.Client({ connectionString: bench.url });
    await client.connect();
    try {
      const url = server.api.url;
      const ids = (await client.query<{ id: string }>(`SELECT id FROM "Study" ORDER BY random() LIMIT 2000`)).rows.map((r) => r.id);
      await checkAnswers(url, client, dataset.modelSetId, dataset.studies, ids[0]);
      log('answers checked against SQL');

      const scope = LOCAL_ADMIN.scope;
      const summaryArgs = { scope, filter: null, modelSetId: dataset.modelSetId, source: 'PREDICTED' } as const;
      const pageArgs = { scope, filter: SEVERE_L45_CANAL, modelSetId: dataset.modelSetId, first: 50 };
      const [summarySql] = await captureSql(bench.db, (db) => cohortSummary(db, summaryArgs));
      // Every study is labelled, so this selects the same studies, but not as whole projects: rows are counted.
      const [countedSummarySql] = await captureSql(bench.db, (db) => cohortSummary(db, { ...summaryArgs, filter: { labelled: true } }));
      const [pageSql] = await captureSql(bench.db, (db) => listStudies(db, pageArgs));
      const [countSql] = await captureSql(bench.db, (db) => countStudies(db, pageArgs));
      log('timing the services and their SQL directly');
      const statements = [
        await timeStatement(client, 'cohortSummary', summarySql),
        await timeStatement(client, 'for comparison, rows counted: cohortSummary(filter: { labelled: true })', countedSummarySql),
        await timeStatement(client, 'filtered page: rows', pageSql),
        await timeStatement(client, 'filtered page: totalCount', countSql),
      ];
      log('cohortSummary over GraphQL and as raw SQL, alternating');
      const paired = await pairedTimings(
        SQL_RUNS,
        () => client.query(summarySql.text, summarySql.params as unknown[]),
        () => postGraphql(url, COHORT_SUMMARY),
      );
      const services = {
        cohortSummary: summarise(await timeRuns(SQL_RUNS, 3, () => cohortSummary(bench.db, summaryArgs))),
        filteredPage: summarise(
          await timeRuns(SQL_RUNS, 3, async () => {
            await listStudies(bench.db, pageArgs);
            await countStudies(bench.db, pageArgs);
          }),
        ),
      };

      const requests: Record<RequestName, { query: string; variables?: (n: number) => Record<string, unknown> }> = {
        cohortSummary: { query: COHORT_SUMMARY },
        cohortSummaryByAgeBand: { query: COHORT_SUMMARY_BY_AGE_BAND },
        filteredPage: { query: FILTERED_PAGE },
        studyDetail: { query: STUDY_DETAIL, variables: (n) => ({ id: ids[n % ids.length] }) },
      };
      const loads: MeasuredLoad[] = [];
      for (const [request, r] of Object.entries(requests) as [RequestName, (typeof requests)[RequestName]][]) {
        await loadGraphql({ url, ...r, connections: 1, durationS: WARMUP_SECONDS });
        for (const connections of [1, THROUGHPUT_CONNECTIONS]) {
          log(`${request}: ${connections} connection(s), ${LOAD_SECONDS} s`);
          const { result, cpuMs } = await backendCpuDuring(client, () => loadGraphql({ url, ...r, connections, durationS: LOAD_SECONDS }));
          loads.push({ request, result, pgCpuMsPerRequest: cpuMs / Math.max(1, result.requests), load: loadNow() });
        }
      }
      // Issue 17's analytics rows on the same database (fewer runs than `bench -- analytics`: seconds a request).
      log('research analytics: model set B, member spreads, then one request at a time');
      const analyticsSetup = await prepareAnalytics(client, dataset);
      const analytics = await timeAnalytics(url, dataset, analyticsSetup.setB, log, { compare: 5, agreement: 7, queue: 11 });
      for (const s of statements) log(`EXPLAIN ANALYZE ${s.label}:\n  ${s.plan.join('\n  ')}`);
      const raw = { dataset, statements, services, paired, loads, analytics, analyticsSetup, loadAtEnd: loadNow() };
      return {
        title: `GraphQL API on ${dataset.studies.toLocaleString('en')} studies x 25 predictions x 25 labels (autocannon, loopback, in-process server)`,
        machine,
        date,
        markdown: [
          formatApi(dataset, loads, statements, services, paired),
          '',
          '**Research analytics (issue 17): compareModelSets, agreement, reviewQueue**',
          '',
          formatAnalytics(dataset.studies, analytics, analyticsSetup),
        ].join('\n'),
        raw,
      };
    } finally {
      await client.end();
      await server.stop();
    }
  });
}

/** `a` and `b` run alternately, so both see the same moments of a shared machine's load. */
async function pairedTimings(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<{ sql: TimingSummary; graphql: TimingSummary }> {
  const sql: number[] = [];
  const graphql: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    await a();
    const t1 = performance.now();
    await b();
    const t2 = performance.now();
    if (i >= 3) {
      sql.push(t1 - t0);
      graphql.push(t2 - t1);
    }
  }
  return { sql: summarise(sql), graphql: summarise(graphql) };
}

async function timeStatement(client: pg.Client, label: string, s: CapturedStatement | undefined): Promise<TimedStatement> {
  if (!s) throw new Error(`API benchmark: the service issued no SQL for ${label}`);
  const run = (): Promise<unknown> => client.query(s.text, s.params as unknown[]);
  const timing = summarise(await timeRuns(SQL_RUNS, 3, run));
  const serialCpuMs = await serialCpuPerRun(client, SQL_RUNS, run);
  const { plan, executionMs } = await explainAnalyze(client, s);
  return { label, sql: s.text, timing, serialCpuMs, explainMs: executionMs, plan };
}

function formatApi(
  dataset: ApiDataset,
  loads: readonly MeasuredLoad[],
  statements: readonly TimedStatement[],
  services: Record<'cohortSummary' | 'filteredPage', TimingSummary>,
  paired: { sql: TimingSummary; graphql: TimingSummary },
): string {
  const pct = (counts: Record<string, number>, total: number): string =>
    ['NORMAL_MILD', 'MODERATE', 'SEVERE'].map((s) => `${s} ${fmt((100 * (counts[s] ?? 0)) / total)} %`).join(', ');
  const single = (request: RequestName): MeasuredLoad =>
    loads.find((l) => l.request === request && l.result.connections === 1) as MeasuredLoad;
  const serialSql = (label: string): number =>
    statements.filter((s) => s.label.startsWith(label)).reduce((sum, s) => sum + s.serialCpuMs, 0);
  const target = (request: keyof typeof TARGET_P50_MS, label: string, sqlLabel: string): string => {
    const { result, pgCpuMsPerRequest } = single(request);
    const p50 = result.latencyMs.p50;
    const limit = TARGET_P50_MS[request];
    return `| ${label} | <= ${limit} ms | ${p50} ms | ${p50 <= limit ? 'met' : '**missed**'} | ${fmt(result.cpuMsPerRequest)} | ${fmt(pgCpuMsPerRequest)} | ${fmt(serialSql(sqlLabel))} |`;
  };
  return [
    `Dataset: ${dataset.studies} studies, ${dataset.series} series, ${dataset.labels} labels, ${dataset.predictions} predictions (one active model set), generated with INSERT ... SELECT in ${fmt(dataset.generateMs / 1000)} s, then VACUUM ANALYZE.`,
    `Labels drawn at RSNA prevalence per condition and level: ${pct(dataset.labelSeverities, dataset.labels)}. Predictions lead with the label's class 70 % of the time, probabilities sum to 1, severity = argmax: ${pct(dataset.predictedSeverities, dataset.predictions)}.`,
    '',
    '| request | connections | requests/s | p50 ms | p90 ms | p99 ms | failures | Node CPU ms/request | PostgreSQL CPU ms/request | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...loads.map(
      ({ request, result: r, pgCpuMsPerRequest, load }) =>
        `| ${request} | ${r.connections} | ${fmt(r.requestsPerSecond)} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.failures} | ${fmt(r.cpuMsPerRequest)} | ${fmt(pgCpuMsPerRequest)} | ${load} |`,
    ),
    '',
    `Requests: cohortSummary(source: PREDICTED) over all studies, 75 cells; the same grouped by AGE_BAND (75 cells per band, small-cell suppression applied; the answer checked against SQL per band); studies(filter: severe L4/L5 canal stenosis predicted, first: 50) with totalCount and the 25 predictions of each study; study(id) with project, 3 series, 25 predictions and 25 labels, a different study each request. ${LOAD_SECONDS} s per row after a ${WARMUP_SECONDS} s warm-up; a failure is a connection error, a timeout, a non-2xx answer or an answer carrying GraphQL errors. Node CPU: this process (server and autocannon together); PostgreSQL CPU: the server's backends, parallel workers not counted; both per request answered. On a shared machine latency is mostly the wait for a core; CPU time is what a request costs whatever else runs, so their sum is roughly what one request would take on an idle machine.`,
    '',
    '| target (p50, one connection) | limit | measured p50 | | Node CPU ms/request | PostgreSQL CPU ms/request | its SQL alone, one backend, CPU ms |',
    '|---|---:|---:|---|---:|---:|---:|',
    target('cohortSummary', 'cohortSummary', 'cohortSummary'),
    target('filteredPage', 'filtered first page', 'filtered page'),
    target(
      'cohortSummaryByAgeBand',
      'cohortSummary(groupBy: [AGE_BAND]): whole cohort + 16 age bands, one pass over the predictions',
      'cohortSummary groupBy',
    ),
    '',
    "Where the time goes: the CPU columns are what a request costs whatever else the machine runs (latency here is mostly the wait for a core). The last column is the SQL of the service alone with parallel query off, so it includes the work PostgreSQL hands to parallel workers, which the PostgreSQL column (the server's pool backends) does not count.",
    '',
    `cohortSummary over whole projects (no filter, or only projectId) reads the per-project cell counts that triggers on Prediction, Label and Study keep (PredictionCellCount, LabelCellCount: 75 rows per project and model set); any other filter counts the rows of the filtered studies, shown for comparison below on a filter that selects the same ${dataset.studies.toLocaleString('en')} studies.`,
    '',
    `SQL issued by the services (captured from them, not copied), timed directly through pg (${SQL_RUNS} runs after 3 warm-ups), its backend CPU with parallel query off, and EXPLAIN ANALYZE:`,
    '',
    '| statement | p50 ms | p99 ms | backend CPU ms/run | EXPLAIN ANALYZE execution ms |',
    '|---|---:|---:|---:|---:|',
    ...statements.map(
      (s) => `| ${s.label} | ${fmt(s.timing.p50, 2)} | ${fmt(s.timing.p99, 2)} | ${fmt(s.serialCpuMs, 1)} | ${fmt(s.explainMs, 2)} |`,
    ),
    `| cohortSummary service call (SQL + shaping, in process) | ${fmt(services.cohortSummary.p50, 2)} | ${fmt(services.cohortSummary.p99, 2)} | | |`,
    `| listStudies then countStudies service calls (the page's rows, then its totalCount) | ${fmt(services.filteredPage.p50, 2)} | ${fmt(services.filteredPage.p99, 2)} | | |`,
    '',
    `cohortSummary over GraphQL / its raw SQL, ${SQL_RUNS} of each alternating: p50 ${fmt(paired.graphql.p50, 1)} ms / ${fmt(paired.sql.p50, 1)} ms = ${fmt(paired.graphql.p50 / paired.sql.p50, 2)}x (p99 ${fmt(paired.graphql.p99, 1)} / ${fmt(paired.sql.p99, 1)} ms).`,
  ].join('\n');
}

function log(message: string): void {
  console.log(`[api] ${message}`);
}
