// GET /exports/cohort.csv through the real server with JWT users: the columns, one row per study x condition x
// level with the label, probabilities, severity, fallback, stratifiers and the cohort hash, checked against the
// database; CSV-injection-safe cells; project scoping and refusals; the citation it records; the submission export
// naming its cohort in a header.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COHORT_CSV_COLUMNS } from '../../src/services/export/cohort-csv.js';
import { errorCode, postGraphQL, queryData, startSecurityStack, type SecurityStack } from '../support/security-fixture.js';

let stack: SecurityStack;
let cohortId: string;
const EVIL = '=HYPERLINK("http://x","y")';

/** RFC 4180 parser for the test: quoted fields, doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else field += ch;
  }
  return rows;
}

beforeAll(async () => {
  stack = await startSecurityStack({ cohorts: { a: 2, b: 1 } });
  const { a } = stack.projects;
  // A folder name chosen to be a formula, a fallback on one row, and known stratifiers on one study.
  await stack.db.sql.query(`UPDATE "Study" SET "externalId" = $2 WHERE id = $1::uuid`, [a.studyIds[1], EVIL]);
  await stack.db.sql.query(
    `UPDATE "Study" SET sex = 'F', "ageBand" = '90+', manufacturer = 'OTHER', "fieldStrength" = 1.5, "sliceThickness" = 4 WHERE id = $1::uuid`,
    [a.studyIds[0]],
  );
  await stack.db.sql.query(
    `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", fallback, "updatedAt")
     SELECT gen_random_uuid(), l."studyId", l.condition, l.level, 0.5, 0.3, 0.2, 'NORMAL_MILD', $1::uuid,
            CASE WHEN l.condition = 'SPINAL_CANAL_STENOSIS' AND l.level = 'L1_L2' THEN 'NO_AXIAL_SERIES' END, now()
     FROM "Label" l`,
    [stack.modelSetId],
  );
  const saved = await queryData<{ saveCohort: { id: string } }>(
    stack.url,
    'mutation($i: SaveCohortInput!) { saveCohort(input: $i) { id } }',
    { i: { projectId: a.id, name: 'export me', filter: {} } },
    stack.users.researcherA.headers,
  );
  cohortId = saved.saveCohort.id;
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, headers: Readonly<Record<string, string>> = {}): Promise<Response> =>
  fetch(`${stack.baseUrl}${path}`, { headers });

describe('GET /exports/cohort.csv', () => {
  it('has the documented columns and one row per study, condition and level, equal to the database', async () => {
    const res = await get(`/exports/cohort.csv?cohortId=${cohortId}`, stack.users.researcherA.headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const { a } = stack.projects;
    const hash = createHash('sha256')
      .update([...a.studyIds].sort().join('\n'))
      .digest('hex');
    expect(res.headers.get('x-spinegraph-cohort')).toBe(`id=${cohortId}; version=1; sha256=${hash}`);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual([...COHORT_CSV_COLUMNS]);
    expect(rows).toHaveLength(2 * 25);
    const col = (name: (typeof COHORT_CSV_COLUMNS)[number]): number => header.indexOf(name);
    expect(new Set(rows.map((r) => r[col('cohort_hash')]))).toEqual(new Set([hash]));
    expect(new Set(rows.map((r) => r[col('study_id')]))).toEqual(new Set(a.studyIds));

    const labels = await stack.db.sql.query<{ k: string }>(
      `SELECT "studyId" || '|' || condition || '|' || level || '|' || severity AS k FROM "Label" WHERE "studyId" = ANY($1::uuid[])`,
      [a.studyIds],
    );
    const exported = rows
      .filter((r) => r[col('label')] !== '')
      .map((r) => [r[col('study_id')], r[col('condition')], r[col('level')], r[col('label')]].join('|'));
    expect(exported.sort()).toEqual(labels.map((l) => l.k).sort());

    const first = rows.find(
      (r) => r[col('study_id')] === a.studyIds[0] && r[col('condition')] === 'SPINAL_CANAL_STENOSIS' && r[col('level')] === 'L1_L2',
    );
    expect(first && Object.fromEntries(header.map((h, i) => [h, first[i]]))).toMatchObject({
      normal_mild: '0.500000',
      moderate: '0.300000',
      severe: '0.200000',
      predicted_severity: 'NORMAL_MILD',
      fallback: 'NO_AXIAL_SERIES',
      sex: 'F',
      age_band: '90+',
      manufacturer: 'OTHER',
      field_strength_t: '1.5',
      slice_thickness_mm: '4',
    });
  });

  it('writes a formula-looking folder name as text, never a formula', async () => {
    const text = await (await get(`/exports/cohort.csv?cohortId=${cohortId}`, stack.users.researcherA.headers)).text();
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(text.split('\n').some((line) => line.split(',').some((cell) => /^[=+\-@]/.test(cell)))).toBe(false);
  });

  it('records a citation: the exported cohort can no longer be deleted', async () => {
    const c = await queryData<{ cohort: { citations: number } }>(
      stack.url,
      'query($id: ID!) { cohort(id: $id) { citations } }',
      { id: cohortId },
      stack.users.researcherA.headers,
    );
    expect(c.cohort.citations).toBeGreaterThan(0);
    const del = await postGraphQL(
      stack.url,
      'mutation($id: ID!) { deleteCohort(id: $id) }',
      { id: cohortId },
      stack.users.researcherA.headers,
    );
    expect(errorCode(del)).toBe('CONFLICT');
    const audit = await stack.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE action = 'export.cohort'`);
    expect(audit[0].n).toBeGreaterThan(0);
  });

  it("is refused to another project's researcher, without a token, and with bad parameters", async () => {
    const foreign = await get(`/exports/cohort.csv?cohortId=${cohortId}`, stack.users.researcherB.headers);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await get(`/exports/cohort.csv?cohortId=${cohortId}`)).status).toBe(401);
    expect((await get('/exports/cohort.csv', stack.users.researcherA.headers)).status).toBe(400);
    expect((await get(`/exports/cohort.csv?cohortId=${cohortId}&cohortVersion=0`, stack.users.researcherA.headers)).status).toBe(400);
    expect((await get(`/exports/cohort.csv?cohortId=${cohortId}&cohortVersion=2`, stack.users.researcherA.headers)).status).toBe(404);
    // Control: a viewer of A may export (read-only).
    expect((await get(`/exports/cohort.csv?cohortId=${cohortId}`, stack.users.viewerA.headers)).status).toBe(200);
  });
});

describe('the submission export of a cohort', () => {
  it('accepts cohortId in its filter and names the cohort in a header, keeping Kaggle columns', async () => {
    const filter = encodeURIComponent(JSON.stringify({ cohortId }));
    const res = await get(`/exports/submission.csv?filter=${filter}`, stack.users.researcherA.headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-spinegraph-cohort')).toMatch(new RegExp(`^id=${cohortId}; version=1; sha256=[0-9a-f]{64}$`));
    const text = await res.text();
    expect(text.startsWith('row_id,normal_mild,moderate,severe\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1 + 2 * 25);
  });
});
