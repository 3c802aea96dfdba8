// The three requests the API benchmark loads, and a check of each answer against counts taken directly in SQL, so a
// fast wrong answer can never pass for a result.
import type pg from 'pg';

export const COHORT_SUMMARY = `query CohortSummary { cohortSummary(source: PREDICTED) { studyCount cells { condition level severity count fraction } } }`;

export const COHORT_SUMMARY_BY_AGE_BAND = `query CohortSummaryByAgeBand {
  cohortSummary(source: PREDICTED, groupBy: [AGE_BAND]) {
    studyCount grouping { suppressedGroups }
    groups { stratum { label studyCount suppressed } cells { condition level severity count fraction } }
  }
}`;

export const FILTERED_PAGE = `query SevereL45Canal {
  studies(filter: { predicted: [{ condition: SPINAL_CANAL_STENOSIS, level: L4_L5, atLeast: SEVERE }] }, first: 50) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id externalId predictions { condition level severity normalMild moderate severe } } }
  }
}`;

export const STUDY_DETAIL = `query StudyDetail($id: ID!) {
  study(id: $id) {
    id externalId createdAt project { name }
    series { externalId type description orientation instanceCount sliceThickness spacingBetweenSlices }
    predictions { condition level normalMild moderate severe severity fallback }
    labels { condition level severity source }
  }
}`;

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string }[];
}

export async function postGraphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphqlAnswer<T>;
  if (!res.ok || body.errors || !body.data) throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

interface Cell {
  condition: string;
  level: string;
  severity: string;
  count: number;
}
interface PredictionOut {
  condition: string;
  level: string;
  severity: string;
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`API benchmark: wrong answer: ${what}`);
}

/** The grouped summary against its own SQL: studies per age band, and the predicted cells of each band. */
async function checkGroupedAnswer(url: string, sql: pg.Client, modelSetId: string): Promise<void> {
  type Grouped = { groups: { stratum: { label: string; studyCount: number | null }; cells: Cell[] }[] };
  const answer = (await postGraphql<{ cohortSummary: Grouped }>(url, COHORT_SUMMARY_BY_AGE_BAND)).cohortSummary;
  const counts = await sql.query<{ k: string; n: number }>(
    `SELECT coalesce(s."ageBand", 'unknown') || '|' || p.condition || '|' || p.level || '|' || p.severity AS k, count(*)::int AS n
     FROM "Prediction" p JOIN "Study" s ON s.id = p."studyId" WHERE p."modelSetId" = $1::uuid GROUP BY 1`,
    [modelSetId],
  );
  const bands = await sql.query<{ band: string; n: number }>(
    `SELECT coalesce("ageBand", 'unknown') AS band, count(*)::int AS n FROM "Study" GROUP BY 1`,
  );
  expect(
    answer.groups.length === bands.rows.length,
    `cohortSummary by AGE_BAND has ${answer.groups.length} groups, SQL ${bands.rows.length}`,
  );
  const expected = new Map(counts.rows.map((r) => [r.k, Number(r.n)]));
  for (const g of answer.groups) {
    const band = bands.rows.find((b) => b.band === g.stratum.label);
    expect(band !== undefined && band.n === g.stratum.studyCount, `age band ${g.stratum.label}: ${g.stratum.studyCount} studies`);
    for (const c of g.cells) {
      const n = expected.get(`${g.stratum.label}|${c.condition}|${c.level}|${c.severity}`) ?? 0;
      expect(c.count === n, `age band ${g.stratum.label} ${c.condition} ${c.level} ${c.severity} = ${c.count}, SQL says ${n}`);
    }
  }
}

/** Runs each request once and compares it with SQL written independently of the services. */
export async function checkAnswers(url: string, sql: pg.Client, modelSetId: string, studies: number, studyId: string): Promise<void> {
  await checkGroupedAnswer(url, sql, modelSetId);
  const summary = (await postGraphql<{ cohortSummary: { studyCount: number; cells: Cell[] } }>(url, COHORT_SUMMARY)).cohortSummary;
  const counts = await sql.query<{ k: string; n: number }>(
    `SELECT condition || '|' || level || '|' || severity AS k, count(*)::int AS n FROM "Prediction" WHERE "modelSetId" = $1::uuid GROUP BY 1`,
    [modelSetId],
  );
  const expected = new Map(counts.rows.map((r) => [r.k, r.n]));
  expect(summary.studyCount === studies, `cohortSummary.studyCount ${summary.studyCount}, expected ${studies}`);
  expect(summary.cells.length === 75, `cohortSummary has ${summary.cells.length} cells, expected 75`);
  for (const c of summary.cells) {
    const n = expected.get(`${c.condition}|${c.level}|${c.severity}`) ?? 0;
    expect(c.count === n, `cohortSummary ${c.condition} ${c.level} ${c.severity} = ${c.count}, SQL says ${n}`);
  }

  type Page = { studies: { totalCount: number; edges: { node: { id: string; predictions: PredictionOut[] } }[] } };
  const page = (await postGraphql<Page>(url, FILTERED_PAGE)).studies;
  const severe = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Prediction" WHERE "modelSetId" = $1::uuid AND condition = 'SPINAL_CANAL_STENOSIS' AND level = 'L4_L5' AND severity = 'SEVERE'`,
    [modelSetId],
  );
  expect(page.totalCount === severe.rows[0].n, `filtered totalCount ${page.totalCount}, SQL says ${severe.rows[0].n}`);
  expect(page.edges.length === Math.min(50, severe.rows[0].n), `filtered page holds ${page.edges.length} studies`);
  for (const { node } of page.edges) {
    expect(node.predictions.length === 25, `study ${node.id} shows ${node.predictions.length} predictions`);
    const l45 = node.predictions.find((p) => p.condition === 'SPINAL_CANAL_STENOSIS' && p.level === 'L4_L5');
    expect(l45?.severity === 'SEVERE', `study ${node.id} in the severe L4/L5 page is ${l45?.severity}`);
  }

  type Detail = { study: { id: string; series: unknown[]; predictions: unknown[]; labels: unknown[] } | null };
  const detail = (await postGraphql<Detail>(url, STUDY_DETAIL, { id: studyId })).study;
  expect(detail?.id === studyId, `study(${studyId}) returned ${detail?.id}`);
  expect(
    detail?.series.length === 3 && detail.predictions.length === 25 && detail.labels.length === 25,
    'study detail lacks series, predictions or labels',
  );
}
