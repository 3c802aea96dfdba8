// compareModelSets and agreement over the real server (JWT, PostgreSQL): the answers equal an independent numpy
// bootstrap (same seed algorithm, losses computed from the raw rows) and scikit-learn, to 1e-9; they equal
// evaluation() where they should; and they see only the caller's projects, refusing the unauthenticated.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, LEVELS } from '../../src/domain/vocabulary.js';
import { insertAnalyticsStudies, insertModelSet, type AnalyticsRow } from '../support/analytics-data.js';
import { errorCode, postGraphQL, queryData, startSecurityStack, type SecurityStack, type TestUser } from '../support/security-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOL = 1e-9;
let stack: SecurityStack;
let setA: string;
let setB: string;
let rowsA: AnalyticsRow[];
// The Python references are computed before any request: an idle keep-alive socket left open across a slow
// Python run can be reset by the server, failing the next fetch.
let bootRef: BootRef;
let sklearnRefs: SklearnRefs;

interface BootRef {
  studies: number;
  parts: Record<string, { a: number; b: number; lower: number; upper: number; bBetterShare: number; resamples: number }>;
}
interface SklearnRefs {
  groups: { condition: string; level: string | null }[];
  datasets: { labels: number[]; p: number[][] }[];
  refs: {
    confusion: number[][];
    kappa: number | null;
    auc: number | null;
    ece: number;
    severe: Bin;
    moderateOrWorse: Bin;
    reliability: { observed: number[]; meanPredicted: number[] }[];
  }[];
}

beforeAll(async () => {
  stack = await startSecurityStack();
  setA = await insertModelSet(stack.db, 'analytics-a');
  setB = await insertModelSet(stack.db, 'analytics-b');
  // B agrees with the labels more often; the first 3 studies of A's project have no prediction of B.
  rowsA = await insertAnalyticsStudies(stack.db, {
    projectId: stack.projects.a.id,
    studies: 40,
    seed: 17,
    sets: [setA, setB],
    agreement: [0.5, 0.75],
    unpredictedBy: 3,
  });
  bootRef = bootstrapReference();
  sklearnRefs = sklearnReference();
  await insertAnalyticsStudies(stack.db, {
    projectId: stack.projects.b.id,
    studies: 6,
    seed: 18,
    sets: [setA, setB],
    agreement: [0.5, 0.5],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const COMPARE = `query($a: ID!, $b: ID!, $f: StudyFilter, $n: Int, $seed: Int) {
  compareModelSets(a: $a, b: $b, filter: $f, bootstrap: $n, seed: $seed) {
    studyCount rowCount resamples seed level
    parts { part a b difference lower upper bBetterShare definedResamples }
  } }`;
interface Part {
  part: string;
  a: number | null;
  b: number | null;
  difference: number | null;
  lower: number | null;
  upper: number | null;
  bBetterShare: number | null;
  definedResamples: number;
}
interface Comparison {
  studyCount: number;
  rowCount: number;
  resamples: number;
  seed: number;
  level: number;
  parts: Part[];
}
const PART_KEY: Record<string, string> = {
  OVERALL: 'overall',
  SPINAL: 'spinal',
  FORAMINAL: 'foraminal',
  SUBARTICULAR: 'subarticular',
  ANY_SEVERE_SPINAL: 'anySevereSpinal',
};

const compare = (user: TestUser, vars: Record<string, unknown>): Promise<{ compareModelSets: Comparison }> =>
  queryData(stack.url, COMPARE, { a: setA, b: setB, ...vars }, user.headers);

function near(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) expect(actual, what).toBeNull();
  else expect(Math.abs((actual ?? NaN) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

describe('compareModelSets', () => {
  it('equals an independent numpy bootstrap on a fixed seed, on the rows both sets predicted', async () => {
    const ref = bootRef;
    const { compareModelSets: c } = await compare(stack.users.researcherA, { n: 400, seed: 12345 });
    expect(c).toMatchObject({ studyCount: 37, rowCount: 37 * 25, resamples: 400, seed: 12345, level: 0.95 });
    expect(ref.studies).toBe(37);
    expect(c.parts.map((p) => p.part)).toEqual(['OVERALL', 'SPINAL', 'FORAMINAL', 'SUBARTICULAR', 'ANY_SEVERE_SPINAL']);
    for (const p of c.parts) {
      const r = ref.parts[PART_KEY[p.part]];
      near(p.a, r.a, `${p.part} a`);
      near(p.b, r.b, `${p.part} b`);
      near(p.difference, r.b - r.a, `${p.part} difference`);
      near(p.lower, r.lower, `${p.part} lower`);
      near(p.upper, r.upper, `${p.part} upper`);
      near(p.bBetterShare, r.bBetterShare, `${p.part} share`);
      expect(p.definedResamples).toBe(r.resamples);
      expect(p.lower!).toBeLessThanOrEqual(p.upper!);
    }
    // B agrees more often, so its loss is lower and the interval says so.
    const overall = c.parts[0];
    expect(overall.difference!).toBeLessThan(0);
    expect(overall.upper!).toBeLessThan(0);
    expect(overall.bBetterShare!).toBeGreaterThan(0.95);
  });

  it('is reproducible by seed, differs by seed, and answers with the seed it drew when none is given', async () => {
    const one = await compare(stack.users.researcherA, { n: 200, seed: 7 });
    const again = await compare(stack.users.researcherA, { n: 200, seed: 7 });
    const other = await compare(stack.users.researcherA, { n: 200, seed: 8 });
    expect(again).toEqual(one);
    expect(other.compareModelSets.parts[0].lower).not.toBe(one.compareModelSets.parts[0].lower);
    const drawn = await compare(stack.users.researcherA, { n: 200 });
    const replay = await compare(stack.users.researcherA, { n: 200, seed: drawn.compareModelSets.seed });
    expect(replay).toEqual(drawn);
  });

  it("each set's score equals evaluation() on studies both sets predicted", async () => {
    const ids = [...new Set(rowsA.filter((r) => r.p[setB]).map((r) => r.study))];
    const { compareModelSets: c } = await compare(stack.users.researcherA, { n: 10, seed: 1, f: { ids } });
    const EVAL =
      'query($m: ID, $f: StudyFilter) { evaluation(modelSetId: $m, filter: $f) { score spinal foraminal subarticular anySevereSpinal } }';
    for (const [set, key] of [
      [setA, 'a'],
      [setB, 'b'],
    ] as const) {
      const { evaluation: e } = await queryData<{ evaluation: Record<string, number> }>(
        stack.url,
        EVAL,
        { m: set, f: { ids } },
        stack.users.researcherA.headers,
      );
      const byPart = Object.fromEntries(c.parts.map((p) => [p.part, p[key]]));
      near(byPart.OVERALL, e.score, 'score');
      near(byPart.SPINAL, e.spinal, 'spinal');
      near(byPart.FORAMINAL, e.foraminal, 'foraminal');
      near(byPart.SUBARTICULAR, e.subarticular, 'subarticular');
      near(byPart.ANY_SEVERE_SPINAL, e.anySevereSpinal, 'anySevereSpinal');
    }
  });

  it('sees only the caller’s projects; refuses bad arguments and the unauthenticated', async () => {
    const b = await compare(stack.users.researcherB, { n: 10, seed: 1 });
    expect(b.compareModelSets.studyCount).toBe(6);
    const foreign = await compare(stack.users.researcherB, { n: 10, seed: 1, f: { projectId: stack.projects.a.id } });
    expect(foreign.compareModelSets.studyCount).toBe(0);
    expect(foreign.compareModelSets.parts.every((p) => p.a === null && p.lower === null)).toBe(true);
    const admin = await compare(stack.users.admin, { n: 10, seed: 1 });
    expect(admin.compareModelSets.studyCount).toBe(37 + 6);
    const viewer = await compare(stack.users.viewerA, { n: 10, seed: 1 });
    expect(viewer.compareModelSets.studyCount).toBe(37);

    const anonymous = await postGraphQL(stack.url, COMPARE, { a: setA, b: setB, n: 10 });
    expect(anonymous.body.data?.compareModelSets ?? null).toBeNull();
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    for (const [vars, code] of [
      [{ n: 0 }, 'BAD_USER_INPUT'],
      [{ n: 100_000 }, 'BAD_USER_INPUT'],
      [{ b: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
      [{ a: 'not-an-id' }, 'BAD_USER_INPUT'],
    ] as const) {
      const res = await postGraphQL(stack.url, COMPARE, { a: setA, b: setB, ...vars }, stack.users.researcherA.headers);
      expect(errorCode(res), JSON.stringify(vars)).toBe(code);
    }
  });
});

const AGREEMENT = `query($m: ID, $f: StudyFilter) { agreement(modelSetId: $m, filter: $f) {
  modelSetId studyCount rowCount
  groups { condition level rows confusion kappa { value reason } severeAuc { value reason } ece { value reason }
    severe { truePositives falsePositives trueNegatives falseNegatives sensitivity { value reason } specificity { value reason } ppv { value reason } npv { value reason } }
    moderateOrWorse { truePositives falsePositives trueNegatives falseNegatives sensitivity { value reason } specificity { value reason } ppv { value reason } npv { value reason } }
    reliability { severity bins { bin lower upper count meanPredicted observed } } } } }`;
interface Stat {
  value: number | null;
  reason: string | null;
}
interface Bin {
  tp: number;
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
}
interface Group {
  condition: string;
  level: string | null;
  rows: number;
  confusion: number[][];
  kappa: Stat;
  severeAuc: Stat;
  ece: Stat;
  severe: Record<string, Stat | number>;
  moderateOrWorse: Record<string, Stat | number>;
  reliability: { severity: string; bins: { count: number; meanPredicted: number; observed: number }[] }[];
}
interface AgreementData {
  agreement: { modelSetId: string; studyCount: number; rowCount: number; groups: Group[] };
}

describe('agreement', () => {
  it('equals scikit-learn per condition and level and pooled, for the rows the set predicted', async () => {
    const { groups, datasets, refs } = sklearnRefs;
    const { agreement: a } = await queryData<AgreementData>(stack.url, AGREEMENT, { m: setB }, stack.users.researcherA.headers);
    expect(a).toMatchObject({ modelSetId: setB, studyCount: 37, rowCount: 37 * 25 });
    expect(a.groups.map((g) => ({ condition: g.condition, level: g.level }))).toEqual(groups);
    a.groups.forEach((g, i) => {
      const ref = refs[i];
      const what = `${g.condition} ${g.level ?? 'pooled'}`;
      expect(g.rows, what).toBe(datasets[i].labels.length);
      expect(g.confusion, what).toEqual(ref.confusion);
      near(g.kappa.value, ref.kappa, `${what} kappa`);
      near(g.severeAuc.value, ref.auc, `${what} auc`);
      near(g.ece.value, ref.ece, `${what} ece`);
      for (const [k, key] of [
        ['severe', 'severe'],
        ['moderateOrWorse', 'moderateOrWorse'],
      ] as const) {
        expect(g[k].truePositives, what).toBe(ref[key].tp);
        for (const s of ['sensitivity', 'specificity', 'ppv', 'npv'] as const)
          near((g[k][s] as Stat).value, ref[key][s], `${what} ${k} ${s}`);
      }
      g.reliability.forEach((curve, k) => {
        expect(curve.bins.map((b) => b.observed)).toHaveLength(ref.reliability[k].observed.length);
        curve.bins.forEach((b, j) => near(b.meanPredicted, ref.reliability[k].meanPredicted[j], `${what} reliability`));
      });
    });
    expect(a.groups.filter((g) => g.level === null).map((g) => g.rows)).toEqual([185, 185, 185, 185, 185]);
  });

  it('answers null with a reason, not NaN, where a statistic is undefined (one study: few classes)', async () => {
    const { agreement: a } = await queryData<AgreementData>(
      stack.url,
      AGREEMENT,
      { m: setA, f: { ids: [rowsA[0].study] } },
      stack.users.researcherA.headers,
    );
    const cell = a.groups.find((g) => g.level !== null)!;
    expect(cell.rows).toBe(1);
    expect(cell.severeAuc).toMatchObject({ value: null });
    expect(cell.severeAuc.reason).toMatch(/class/);
  });

  it("counts only the caller's projects and refuses the unauthenticated", async () => {
    const b = await queryData<AgreementData>(stack.url, AGREEMENT, { m: setA }, stack.users.researcherB.headers);
    expect(b.agreement.studyCount).toBe(6);
    const foreign = await queryData<AgreementData>(
      stack.url,
      AGREEMENT,
      { m: setA, f: { projectId: stack.projects.a.id } },
      stack.users.researcherB.headers,
    );
    expect(foreign.agreement).toMatchObject({ studyCount: 0, rowCount: 0 });
    expect(foreign.agreement.groups.every((g) => g.rows === 0 && g.kappa.value === null)).toBe(true);
    const admin = await queryData<AgreementData>(stack.url, AGREEMENT, { m: setA }, stack.users.admin.headers);
    expect(admin.agreement.studyCount).toBe(46);
    const anonymous = await postGraphQL(stack.url, AGREEMENT, { m: setA });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    const noSet = await postGraphQL(stack.url, AGREEMENT, {}, stack.users.researcherA.headers);
    expect(errorCode(noSet)).toBe('BAD_USER_INPUT');
  });
});

/** numpy's bootstrap of A's project, seed 12345, 400 resamples, from the raw rows. */
function bootstrapReference(): BootRef {
  const paired = rowsA.filter((r) => r.p[setA] && r.p[setB]);
  const input = {
    rows: paired.map((r) => ({ study: r.study, condition: r.condition, label: r.label, pa: r.p[setA], pb: r.p[setB] })),
    seed: 12345,
    resamples: 400,
  };
  return JSON.parse(
    execFileSync('/usr/bin/python3', [join(ROOT, 'tests/support/bootstrap_reference.py')], {
      input: JSON.stringify(input),
      encoding: 'utf8',
    }),
  ) as BootRef;
}

/** scikit-learn on B's rows of A's project, per condition and level and pooled. */
function sklearnReference(): SklearnRefs {
  const groups = CONDITIONS.flatMap((condition) => [...LEVELS, null].map((level) => ({ condition, level })));
  const mine = rowsA.filter((r) => r.p[setB]);
  const datasets = groups.map((g) => {
    const rows = mine.filter((r) => r.condition === g.condition && (g.level === null || r.level === g.level));
    return { labels: rows.map((r) => r.label), p: rows.map((r) => r.p[setB]) };
  });
  const refs = JSON.parse(
    execFileSync('/usr/bin/python3', [join(ROOT, 'tests/integration/analytics/sklearn_reference.py')], {
      input: JSON.stringify(datasets),
      encoding: 'utf8',
    }),
  ) as SklearnRefs['refs'];
  return { groups, datasets, refs };
}

describe('agreement groupBy (services/strata.ts)', () => {
  const GROUPED = `query($m: ID, $f: StudyFilter, $g: [Stratifier!]) { agreement(modelSetId: $m, filter: $f, groupBy: $g) {
    studyCount grouping { minGroupSize suppressed suppressedGroups }
    strata { stratum { label studyCount suppressed } rowCount groups { condition level rows confusion kappa { value } severeAuc { value } } } } }`;
  interface GroupedData {
    agreement: {
      studyCount: number;
      grouping: { minGroupSize: number; suppressed: boolean; suppressedGroups: number };
      strata: { stratum: { label: string; studyCount: number | null; suppressed: boolean }; rowCount: number | null; groups: Group[] }[];
    };
  }
  const PLAIN = `query($m: ID, $f: StudyFilter) { agreement(modelSetId: $m, filter: $f) { groups { condition level rows confusion kappa { value } severeAuc { value } } } }`;

  it('answers per stratum, equal to the ungrouped answer on that stratum, small strata suppressed for non-administrators', async () => {
    const studies = [...new Set(rowsA.map((r) => r.study))];
    const women = studies.slice(0, 36);
    const men = studies.slice(36);
    await stack.db.sql.query(`UPDATE "Study" SET sex = 'F' WHERE id = ANY($1::uuid[])`, [women]);
    await stack.db.sql.query(`UPDATE "Study" SET sex = 'M' WHERE id = ANY($1::uuid[])`, [men]);
    const f = { projectId: stack.projects.a.id };
    const researcher = await queryData<GroupedData>(stack.url, GROUPED, { m: setA, f, g: ['SEX'] }, stack.users.researcherA.headers);
    expect(researcher.agreement.grouping).toMatchObject({ suppressed: true, suppressedGroups: 1 });
    const [shown, hidden] = researcher.agreement.strata;
    expect(shown.stratum).toMatchObject({ label: 'F', studyCount: 36, suppressed: false });
    expect(hidden).toMatchObject({ stratum: { label: 'M', studyCount: null, suppressed: true }, rowCount: null, groups: [] });
    const plain = await queryData<{ agreement: { groups: Group[] } }>(
      stack.url,
      PLAIN,
      { m: setA, f: { ids: women } },
      stack.users.researcherA.headers,
    );
    expect(shown.groups).toEqual(plain.agreement.groups);
    expect(shown.rowCount).toBe(36 * 25);
    const admin = await queryData<GroupedData>(stack.url, GROUPED, { m: setA, f, g: ['SEX'] }, stack.users.admin.headers);
    expect(admin.agreement.strata.map((s) => [s.stratum.label, s.stratum.studyCount, s.rowCount])).toEqual([
      ['F', 36, 900],
      ['M', 4, 100],
    ]);
  });
});
