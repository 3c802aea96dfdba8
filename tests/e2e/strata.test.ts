// Stratifiers end to end: captured at import from real (synthetic) DICOM, filtered on, and grouped by through the
// real server with JWT users: cohortSummary and evaluation per group, small-cell suppression for non-administrators
// (MIN_GROUP_SIZE set to 4 here, so the setting is what counts), project scoping, and refusals.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { errorCode, postGraphQL, queryData, startSecurityStack, type SecurityStack, type TestUser } from '../support/security-fixture.js';
import { dicomFilesUnder } from '../security/phi-dicom.js';

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack({ cohorts: { a: 7, b: 2 }, env: { MIN_GROUP_SIZE: '4' } });
  const { a } = stack.projects;
  // Known strata for A (the import's own values are checked separately below): 5 F and 2 M; ages 60-64 x4,
  // 90+ x1, unknown x2; two vendors; 1.5 T and 3 T; slice thickness 3 or 4 mm.
  const plan = [
    { sex: 'F', age: '60-64', vendor: 'SIEMENS', tesla: 1.5, mm: 3 },
    { sex: 'F', age: '60-64', vendor: 'SIEMENS', tesla: 1.5, mm: 3 },
    { sex: 'F', age: '60-64', vendor: 'GE', tesla: 3, mm: 4 },
    { sex: 'F', age: '60-64', vendor: 'GE', tesla: 3, mm: 4 },
    { sex: 'F', age: '90+', vendor: 'GE', tesla: 3, mm: 4 },
    { sex: 'M', age: null, vendor: null, tesla: null, mm: null },
    { sex: 'M', age: null, vendor: 'SIEMENS', tesla: 1.5, mm: 3 },
  ];
  for (const [i, p] of plan.entries()) {
    await stack.db.sql.query(
      `UPDATE "Study" SET sex = $2, "ageBand" = $3, manufacturer = $4, "fieldStrength" = $5, "sliceThickness" = $6 WHERE id = $1::uuid`,
      [a.studyIds[i], p.sex, p.age, p.vendor, p.tesla, p.mm],
    );
  }
  // Predictions for every label of both projects, so the metric has rows: the label's class gets 0.6.
  await stack.db.sql.query(
    `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
     SELECT gen_random_uuid(), l."studyId", l.condition, l.level,
            CASE l.severity WHEN 'NORMAL_MILD' THEN 0.6 ELSE 0.2 END, CASE l.severity WHEN 'MODERATE' THEN 0.6 ELSE 0.2 END,
            CASE l.severity WHEN 'SEVERE' THEN 0.6 ELSE 0.2 END, l.severity, $1::uuid, now()
     FROM "Label" l`,
    [stack.modelSetId],
  );
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

const SUMMARY = `query($f: StudyFilter, $g: [Stratifier!]) {
  cohortSummary(filter: $f, groupBy: $g, source: LABELLED) {
    studyCount cells { condition level severity count }
    grouping { groupBy minGroupSize suppressed suppressedGroups }
    groups { stratum { key { by value } label studyCount suppressed } cells { condition level severity count } }
  }
}`;
const EVALUATION = `query($f: StudyFilter, $g: [Stratifier!]) {
  evaluation(filter: $f, groupBy: $g) {
    score studyCount rowCount
    grouping { groupBy minGroupSize suppressed suppressedGroups }
    groups { stratum { label studyCount suppressed } scores { score spinal foraminal subarticular anySevereSpinal studyCount rowCount } }
  }
}`;

interface Cell {
  condition: string;
  level: string;
  severity: string;
  count: number;
}
interface Group {
  stratum: { key: { by: string; value: string }[]; label: string; studyCount: number | null; suppressed: boolean };
  cells: Cell[];
}
interface Summary {
  studyCount: number;
  cells: Cell[];
  grouping: { groupBy: string[]; minGroupSize: number; suppressed: boolean; suppressedGroups: number } | null;
  groups: Group[];
}
interface Scores {
  score: number | null;
  studyCount: number;
  rowCount: number;
}
interface EvaluationAnswer extends Scores {
  grouping: Summary['grouping'];
  groups: { stratum: Group['stratum']; scores: Scores | null }[];
}

const summary = (user: TestUser, f: Record<string, unknown>, g?: string[]): Promise<Summary> =>
  queryData<{ cohortSummary: Summary }>(stack.url, SUMMARY, { f, g }, user.headers).then((d) => d.cohortSummary);
const evaluation = (user: TestUser, f: Record<string, unknown>, g?: string[]): Promise<EvaluationAnswer> =>
  queryData<{ evaluation: EvaluationAnswer }>(stack.url, EVALUATION, { f, g }, user.headers).then((d) => d.evaluation);
const nonZero = (cells: Cell[]): string[] =>
  cells.filter((c) => c.count > 0).map((c) => `${c.condition}|${c.level}|${c.severity}|${c.count}`);

/** Label cell counts of A's studies of one sex, counted here in SQL independently of the service. */
async function labelCellsOfSex(sex: string): Promise<string[]> {
  const rows = await stack.db.sql.query<{ k: string }>(
    `SELECT l.condition || '|' || l.level || '|' || l.severity || '|' || count(*) AS k FROM "Label" l JOIN "Study" s ON s.id = l."studyId"
     WHERE s."projectId" = $1::uuid AND s.sex = $2 GROUP BY l.condition, l.level, l.severity`,
    [stack.projects.a.id, sex],
  );
  return rows.map((r) => r.k).sort();
}

describe('capture at import', () => {
  it('stores sex, age band, vendor, field strength and slice thickness as the files say, never the exact age', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-strata-'));
    try {
      await generateDataset({ outDir: dir, studies: 2, seed: 913, size: 64, workers: 1 });
      // What the files hold, read with dicom-parser here, per study folder (train_images/<study>/<series>/n.dcm).
      const expected = new Map<string, { sex: string; age: string; vendor: string; tesla: number; thickness: number[] }>();
      for (const path of await dicomFilesUnder(join(dir, 'train_images'))) {
        const ds = dicomParser.parseDicom(new Uint8Array(await readFile(path)), { untilTag: 'x7fe00010' });
        const study = path.split('/').at(-3) as string;
        const e = expected.get(study) ?? {
          sex: ds.string('x00100040') as string,
          age: ds.string('x00101010') as string,
          vendor: ds.string('x00080070') as string,
          tesla: Number(ds.string('x00180087')),
          thickness: [],
        };
        e.thickness.push(Number(ds.string('x00180050')));
        expected.set(study, e);
      }
      const project = await ensureProject(stack.db, 'strata-capture');
      await importStudies(stack.db, { root: dir, projectId: project.id, secret: 'strata-capture-secret' });
      const rows = await stack.db.sql.query<{
        externalId: string;
        sex: string;
        ageBand: string;
        manufacturer: string;
        fieldStrength: number;
        sliceThickness: number;
      }>(`SELECT "externalId", sex, "ageBand", manufacturer, "fieldStrength", "sliceThickness" FROM "Study" WHERE "projectId" = $1::uuid`, [
        project.id,
      ]);
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        const e = expected.get(r.externalId);
        expect(e, r.externalId).toBeDefined();
        if (!e) continue;
        const years = Number(/^(\d{3})Y$/.exec(e.age)?.[1]);
        expect(years).toBeGreaterThan(18);
        const band =
          years >= 90 ? '90+' : `${String(years - (years % 5)).padStart(2, '0')}-${String(years - (years % 5) + 4).padStart(2, '0')}`;
        const vendor =
          { SIEMENS: 'SIEMENS', 'GE MEDICAL SYSTEMS': 'GE', 'Philips Medical Systems': 'PHILIPS', TOSHIBA: 'CANON' }[e.vendor] ?? 'HITACHI';
        expect(r).toEqual({
          externalId: r.externalId,
          sex: e.sex,
          ageBand: band,
          manufacturer: vendor,
          fieldStrength: e.tesla,
          sliceThickness: Math.min(...e.thickness),
        });
        // The exact age string is nowhere in the study's row.
        const [row] = await stack.db.sql.query<{ j: string }>(`SELECT row_to_json(s)::text AS j FROM "Study" s WHERE "externalId" = $1`, [
          r.externalId,
        ]);
        expect(row.j).not.toContain(e.age);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('reads MIN_GROUP_SIZE, 5 by default', () => {
    expect(loadConfig({}).analytics.minGroupSize).toBe(5);
    expect(loadConfig({ MIN_GROUP_SIZE: '11' }).analytics.minGroupSize).toBe(11);
    expect(() => loadConfig({ MIN_GROUP_SIZE: '0' })).toThrow(/MIN_GROUP_SIZE/);
  });
});

describe('StudyFilter by stratifiers', () => {
  const count = (f: Record<string, unknown>): Promise<number> => summary(stack.users.researcherA, f).then((s) => s.studyCount);
  const a = (): Record<string, unknown> => ({ projectId: stack.projects.a.id });

  it('selects by sex, age band, vendor, field strength and slice thickness, with "unknown" for missing values', async () => {
    expect(await count(a())).toBe(7);
    expect(await count({ ...a(), sexes: ['F'] })).toBe(5);
    expect(await count({ ...a(), sexes: ['F', 'M'] })).toBe(7);
    expect(await count({ ...a(), sexes: ['UNKNOWN'] })).toBe(0);
    expect(await count({ ...a(), ageBands: ['60-64'] })).toBe(4);
    expect(await count({ ...a(), ageBands: ['90+', 'unknown'] })).toBe(3);
    expect(await count({ ...a(), manufacturers: ['GE'] })).toBe(3);
    expect(await count({ ...a(), manufacturers: ['UNKNOWN'] })).toBe(1);
    expect(await count({ ...a(), fieldStrengths: [3] })).toBe(3);
    expect(await count({ ...a(), fieldStrengths: [1.5, 3] })).toBe(6);
    expect(await count({ ...a(), sliceThicknessMin: 3.5 })).toBe(3);
    expect(await count({ ...a(), sliceThicknessMax: 3.5 })).toBe(3);
    expect(await count({ ...a(), sexes: ['F'], manufacturers: ['SIEMENS'] })).toBe(2);
  });

  it('refuses an age band that is not one, with the bands named', async () => {
    const res = await postGraphQL(stack.url, SUMMARY, { f: { ageBands: ['62'] } }, stack.users.researcherA.headers);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/85-89, 90\+ or unknown/);
  });
});

describe('cohortSummary groupBy', () => {
  it('answers per group with the cells of that group, suppressing groups under MIN_GROUP_SIZE for a researcher', async () => {
    const s = await summary(stack.users.researcherA, { projectId: stack.projects.a.id }, ['SEX']);
    expect(s.grouping).toEqual({ groupBy: ['SEX'], minGroupSize: 4, suppressed: true, suppressedGroups: 1 });
    expect(s.groups.map((g) => g.stratum)).toEqual([
      { key: [{ by: 'SEX', value: 'F' }], label: 'F', studyCount: 5, suppressed: false },
      { key: [{ by: 'SEX', value: 'M' }], label: 'M', studyCount: null, suppressed: true },
    ]);
    expect(s.groups[1].cells).toEqual([]);
    expect(s.groups[0].cells).toHaveLength(75);
    expect(nonZero(s.groups[0].cells).sort()).toEqual(await labelCellsOfSex('F'));
    // The same cells as filtering by the group.
    expect(s.groups[0].cells).toEqual((await summary(stack.users.researcherA, { projectId: stack.projects.a.id, sexes: ['F'] })).cells);
  });

  it('shows every group to a system administrator', async () => {
    const s = await summary(stack.users.admin, { projectId: stack.projects.a.id }, ['SEX']);
    expect(s.grouping).toMatchObject({ suppressed: false, suppressedGroups: 0 });
    expect(s.groups.map((g) => [g.stratum.label, g.stratum.studyCount, g.stratum.suppressed])).toEqual([
      ['F', 5, false],
      ['M', 2, false],
    ]);
    expect(nonZero(s.groups[1].cells).sort()).toEqual(await labelCellsOfSex('M'));
  });

  it('groups by several stratifiers at once, "unknown" for missing values, sorted', async () => {
    const s = await summary(stack.users.admin, { projectId: stack.projects.a.id }, ['AGE_BAND', 'FIELD_STRENGTH']);
    expect(s.groups.map((g) => [g.stratum.label, g.stratum.studyCount])).toEqual([
      ['60-64 / 1.5', 2],
      ['60-64 / 3', 2],
      ['90+ / 3', 1],
      ['unknown / 1.5', 1],
      ['unknown / unknown', 1],
    ]);
    expect(s.groups[0].stratum.key).toEqual([
      { by: 'AGE_BAND', value: '60-64' },
      { by: 'FIELD_STRENGTH', value: '1.5' },
    ]);
    const m = await summary(stack.users.admin, { projectId: stack.projects.a.id }, ['MANUFACTURER']);
    expect(m.groups.map((g) => [g.stratum.label, g.stratum.studyCount])).toEqual([
      ['GE', 3],
      ['SIEMENS', 3],
      ['unknown', 1],
    ]);
  });

  it('answers without grouping when groupBy is absent', async () => {
    const s = await summary(stack.users.researcherA, { projectId: stack.projects.a.id });
    expect(s.grouping).toBeNull();
    expect(s.groups).toEqual([]);
  });

  it("never groups another project's studies: B's researcher sees only B", async () => {
    const foreign = await summary(stack.users.researcherB, { projectId: stack.projects.a.id }, ['SEX']);
    expect(foreign.studyCount).toBe(0);
    expect(foreign.groups).toEqual([]);
    const own = await summary(stack.users.researcherB, {}, ['SEX']);
    expect(own.studyCount).toBe(2);
    // B has 2 studies: every group of B is under 4, so all are suppressed for B's researcher.
    expect(own.groups.length).toBeGreaterThan(0);
    expect(own.groups.every((g) => g.stratum.suppressed && g.stratum.studyCount === null)).toBe(true);
    expect(own.grouping?.suppressedGroups).toBe(own.groups.length);
  });

  it('is refused without a token, and to a viewer it answers (read-only) with suppression', async () => {
    const anonymous = await postGraphQL(stack.url, SUMMARY, { g: ['SEX'] });
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    const viewer = await summary(stack.users.viewerA, {}, ['SEX']);
    expect(viewer.grouping?.suppressedGroups).toBe(1);
  });

  it('refuses an unknown stratifier', async () => {
    const res = await postGraphQL(stack.url, SUMMARY, { g: ['EYE_COLOUR'] }, stack.users.researcherA.headers);
    expect(res.body.errors?.[0]?.extensions?.code).toBeDefined();
    expect(res.body.data ?? null).toBeNull();
  });
});

describe('evaluation groupBy', () => {
  it('scores each group as evaluating that group alone, and suppresses small groups for a researcher', async () => {
    const a = { projectId: stack.projects.a.id };
    const asAdmin = await evaluation(stack.users.admin, a, ['SEX']);
    const f = await evaluation(stack.users.admin, { ...a, sexes: ['F'] });
    const m = await evaluation(stack.users.admin, { ...a, sexes: ['M'] });
    expect(f.rowCount).toBeGreaterThan(0);
    expect(asAdmin.groups.map((g) => g.stratum.label)).toEqual(['F', 'M']);
    expect(asAdmin.groups[0].scores).toMatchObject({ score: f.score, studyCount: 5, rowCount: f.rowCount });
    expect(asAdmin.groups[1].scores).toMatchObject({ score: m.score, studyCount: 2, rowCount: m.rowCount });
    expect(asAdmin.studyCount).toBe(7);

    const asResearcher = await evaluation(stack.users.researcherA, a, ['SEX']);
    expect(asResearcher.grouping).toEqual({ groupBy: ['SEX'], minGroupSize: 4, suppressed: true, suppressedGroups: 1 });
    expect(asResearcher.groups[0].scores?.score).toBe(f.score);
    expect(asResearcher.groups[1]).toEqual({ stratum: { label: 'M', studyCount: null, suppressed: true }, scores: null });
  });
});
