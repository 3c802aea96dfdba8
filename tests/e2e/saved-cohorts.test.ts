// Saved, versioned cohorts through the real server with JWT users: save (versions by name), read, filter by
// cohortId (+ version), frozen membership, the hash, citations by evaluation, delete refused once cited, project
// scoping, roles, bad input, and the audit trail.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, postGraphQL, queryData, startSecurityStack, type SecurityStack, type TestUser } from '../support/security-fixture.js';

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack({ cohorts: { a: 3, b: 2 } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

const VERSION = 'id version description filterJson studyIds studyCount hash createdBy createdAt';
const SAVE = `mutation($i: SaveCohortInput!) { saveCohort(input: $i) { id projectId name citations latest { ${VERSION} } versions { version } } }`;
const COHORT = `query($id: ID!) { cohort(id: $id) { id name citations versions { ${VERSION} } } }`;
const COHORTS = 'query($p: ID) { cohorts(projectId: $p) { id name projectId latest { version studyCount } } }';
const COUNT = 'query($f: StudyFilter) { studies(filter: $f, first: 50) { totalCount } }';
const EVALUATION = 'query($f: StudyFilter) { evaluation(filter: $f) { studyCount cohort { id name version hash studyCount } } }';
const DELETE = 'mutation($id: ID!) { deleteCohort(id: $id) }';
const REFERENCE = 'cohort { id name version hash studyCount }';
const SUMMARY = `query($f: StudyFilter) { cohortSummary(filter: $f, source: LABELLED) { studyCount ${REFERENCE} } }`;
const AGREEMENT = `query($f: StudyFilter, $m: ID) { agreement(filter: $f, modelSetId: $m) { ${REFERENCE} } }`;
const COMPARE = `query($f: StudyFilter, $a: ID!, $b: ID!) { compareModelSets(a: $a, b: $b, filter: $f, bootstrap: 10, seed: 1) { ${REFERENCE} } }`;

interface Version {
  id: string;
  version: number;
  description: string | null;
  filterJson: string;
  studyIds: string[];
  studyCount: number;
  hash: string;
  createdBy: string;
}
interface Saved {
  id: string;
  projectId: string;
  name: string;
  citations: number;
  latest: Version;
  versions: { version: number }[];
}

const sha = (ids: readonly string[]): string =>
  createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');
const save = (user: TestUser, i: Record<string, unknown>): Promise<Saved> =>
  queryData<{ saveCohort: Saved }>(stack.url, SAVE, { i }, user.headers).then((d) => d.saveCohort);
const count = (user: TestUser, f: Record<string, unknown>): Promise<number> =>
  queryData<{ studies: { totalCount: number } }>(stack.url, COUNT, { f }, user.headers).then((d) => d.studies.totalCount);

describe('saveCohort and reading cohorts', () => {
  let saved: Saved;

  it('freezes the matching studies of the project, with filter, user, time and hash; saving the name again makes version 2', async () => {
    const { a } = stack.projects;
    const r = stack.users.researcherA;
    saved = await save(r, { projectId: a.id, name: 'all of A', description: 'every study', filter: { labelled: true } });
    expect(saved).toMatchObject({ projectId: a.id, name: 'all of A', citations: 0, versions: [{ version: 1 }] });
    expect(saved.latest).toMatchObject({
      version: 1,
      description: 'every study',
      studyIds: [...a.studyIds].sort(),
      studyCount: 3,
      hash: sha(a.studyIds),
      createdBy: r.email,
    });
    expect(JSON.parse(saved.latest.filterJson)).toEqual({ labelled: true });

    const two = await save(r, { projectId: a.id, name: 'all of A', filter: { ids: a.studyIds.slice(0, 2) } });
    expect(two.id).toBe(saved.id);
    expect(two.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(two.latest).toMatchObject({ version: 2, studyCount: 2, hash: sha(a.studyIds.slice(0, 2)), description: null });
  });

  it('reads one cohort with its versions, and lists the cohorts of a project', async () => {
    const one = await queryData<{ cohort: { versions: Version[] } }>(stack.url, COHORT, { id: saved.id }, stack.users.viewerA.headers);
    expect(one.cohort.versions.map((v) => [v.version, v.studyCount])).toEqual([
      [2, 2],
      [1, 3],
    ]);
    const list = await queryData<{ cohorts: { id: string; latest: { version: number } }[] }>(
      stack.url,
      COHORTS,
      { p: stack.projects.a.id },
      stack.users.viewerA.headers,
    );
    expect(list.cohorts.map((c) => [c.id, c.latest.version])).toEqual([[saved.id, 2]]);
  });

  it('selects the frozen studies with filter.cohortId: the latest version, or the one named', async () => {
    const r = stack.users.researcherA;
    expect(await count(r, { cohortId: saved.id })).toBe(2);
    expect(await count(r, { cohortId: saved.id, cohortVersion: 1 })).toBe(3);
    expect(await count(r, { cohortId: saved.id, cohortVersion: 7 })).toBe(0);
    const bad = await postGraphQL(stack.url, COUNT, { f: { cohortId: saved.id, cohortVersion: 0 } }, r.headers);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('keeps the membership it froze when the studies change afterwards', async () => {
    const { a } = stack.projects;
    await stack.db.sql.query(`UPDATE "Study" SET sex = 'F' WHERE "projectId" = $1::uuid`, [a.id]);
    const women = await save(stack.users.researcherA, { projectId: a.id, name: 'women', filter: { sexes: ['F'] } });
    expect(women.latest.studyCount).toBe(3);
    await stack.db.sql.query(`UPDATE "Study" SET sex = 'M' WHERE id = $1::uuid`, [a.studyIds[0]]);
    expect(await count(stack.users.researcherA, { sexes: ['F'], projectId: a.id })).toBe(2);
    expect(await count(stack.users.researcherA, { cohortId: women.id })).toBe(3);
  });
});

describe('citations and deletion', () => {
  it('an evaluation over a cohort answers its id, version and hash, and cites it; a cited cohort cannot be deleted', async () => {
    const { a } = stack.projects;
    const r = stack.users.researcherA;
    const c = await save(r, { projectId: a.id, name: 'to evaluate', filter: { ids: [a.studyIds[2]] } });
    const e = await queryData<{ evaluation: { cohort: Record<string, unknown> } }>(
      stack.url,
      EVALUATION,
      { f: { cohortId: c.id } },
      r.headers,
    );
    expect(e.evaluation.cohort).toEqual({ id: c.id, name: 'to evaluate', version: 1, hash: sha([a.studyIds[2]]), studyCount: 1 });
    const after = await queryData<{ cohort: { citations: number } }>(stack.url, COHORT, { id: c.id }, r.headers);
    expect(after.cohort.citations).toBe(1);
    const refused = await postGraphQL(stack.url, DELETE, { id: c.id }, r.headers);
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.body.errors?.[0]?.message).toMatch(/cited by 1 evaluation/);
    // Without a cohort the answer names none.
    const plain = await queryData<{ evaluation: { cohort: unknown } }>(stack.url, EVALUATION, { f: { projectId: a.id } }, r.headers);
    expect(plain.evaluation.cohort).toBeNull();
  });

  it('agreement and compareModelSets answer the cohort with its hash and cite it; cohortSummary shows it without citing', async () => {
    const { a } = stack.projects;
    const r = stack.users.researcherA;
    const c = await save(r, { projectId: a.id, name: 'for analytics', filter: { ids: a.studyIds.slice(0, 2) } });
    const reference = { id: c.id, name: 'for analytics', version: 1, hash: sha(a.studyIds.slice(0, 2)), studyCount: 2 };
    const f = { cohortId: c.id };
    const citations = async (): Promise<number> =>
      (await queryData<{ cohort: { citations: number } }>(stack.url, COHORT, { id: c.id }, r.headers)).cohort.citations;

    const summary = await queryData<{ cohortSummary: { studyCount: number; cohort: unknown } }>(stack.url, SUMMARY, { f }, r.headers);
    expect(summary.cohortSummary).toEqual({ studyCount: 2, cohort: reference });
    expect(await citations()).toBe(0);

    const agreed = await queryData<{ agreement: { cohort: unknown } }>(stack.url, AGREEMENT, { f, m: stack.modelSetId }, r.headers);
    expect(agreed.agreement.cohort).toEqual(reference);
    expect(await citations()).toBe(1);

    const m = stack.modelSetId;
    const compared = await queryData<{ compareModelSets: { cohort: unknown } }>(stack.url, COMPARE, { f, a: m, b: m }, r.headers);
    expect(compared.compareModelSets.cohort).toEqual(reference);
    expect(await citations()).toBe(2);

    // An older version is named by its own hash.
    const two = await save(r, { projectId: a.id, name: 'for analytics', filter: { ids: a.studyIds } });
    const v1 = await queryData<{ agreement: { cohort: { version: number; hash: string } } }>(
      stack.url,
      AGREEMENT,
      { f: { cohortId: two.id, cohortVersion: 1 }, m },
      r.headers,
    );
    expect(v1.agreement.cohort).toMatchObject({ version: 1, hash: reference.hash });
    // Without a cohort the answers name none; another project's researcher gets NOT_FOUND, not a hash.
    const plain = await queryData<{ agreement: { cohort: unknown } }>(stack.url, AGREEMENT, { f: { projectId: a.id }, m }, r.headers);
    expect(plain.agreement.cohort).toBeNull();
    const b = stack.users.researcherB;
    expect(errorCode(await postGraphQL(stack.url, SUMMARY, { f }, b.headers))).toBe('NOT_FOUND');
    expect(errorCode(await postGraphQL(stack.url, AGREEMENT, { f, m }, b.headers))).toBe('NOT_FOUND');
    expect(errorCode(await postGraphQL(stack.url, COMPARE, { f, a: m, b: m }, b.headers))).toBe('NOT_FOUND');
  });

  it('deletes an uncited cohort (researcher), and a viewer may not', async () => {
    const c = await save(stack.users.researcherA, { projectId: stack.projects.a.id, name: 'scratch', filter: {} });
    const viewer = await postGraphQL(stack.url, DELETE, { id: c.id }, stack.users.viewerA.headers);
    expect(errorCode(viewer)).toBe('FORBIDDEN');
    expect(await queryData(stack.url, DELETE, { id: c.id }, stack.users.researcherA.headers)).toEqual({ deleteCohort: true });
    const gone = await queryData<{ cohort: unknown }>(stack.url, COHORT, { id: c.id }, stack.users.researcherA.headers);
    expect(gone.cohort).toBeNull();
  });
});

describe('who may not', () => {
  let aCohort: Saved;
  beforeAll(async () => {
    aCohort = await save(stack.users.researcherA, { projectId: stack.projects.a.id, name: 'private to A', filter: {} });
  });

  it("B's researcher cannot see, list, use, evaluate, save into or delete A's cohorts", async () => {
    const b = stack.users.researcherB;
    expect((await queryData<{ cohort: unknown }>(stack.url, COHORT, { id: aCohort.id }, b.headers)).cohort).toBeNull();
    const list = await queryData<{ cohorts: { projectId: string }[] }>(stack.url, COHORTS, {}, b.headers);
    expect(list.cohorts.filter((c) => c.projectId === stack.projects.a.id)).toEqual([]);
    expect(await queryData<{ cohorts: unknown[] }>(stack.url, COHORTS, { p: stack.projects.a.id }, b.headers)).toEqual({ cohorts: [] });
    expect(await count(b, { cohortId: aCohort.id })).toBe(0);
    expect(errorCode(await postGraphQL(stack.url, EVALUATION, { f: { cohortId: aCohort.id } }, b.headers))).toBe('NOT_FOUND');
    expect(errorCode(await postGraphQL(stack.url, DELETE, { id: aCohort.id }, b.headers))).toBe('NOT_FOUND');
    const into = await postGraphQL(stack.url, SAVE, { i: { projectId: stack.projects.a.id, name: 'x', filter: {} } }, b.headers);
    expect(errorCode(into)).toBe('NOT_FOUND');
    // Control: the administrator sees it.
    expect((await queryData<{ cohort: { id: string } }>(stack.url, COHORT, { id: aCohort.id }, stack.users.admin.headers)).cohort.id).toBe(
      aCohort.id,
    );
  });

  it('a viewer cannot save, an anonymous caller nothing at all', async () => {
    const viewer = await postGraphQL(
      stack.url,
      SAVE,
      { i: { projectId: stack.projects.a.id, name: 'v', filter: {} } },
      stack.users.viewerA.headers,
    );
    expect(errorCode(viewer)).toBe('FORBIDDEN');
    const anonymous = await postGraphQL(stack.url, COHORTS, {});
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('refuses an empty name, a filter that matches nothing, and studies of another project', async () => {
    const r = stack.users.researcherA;
    const { a, b } = stack.projects;
    expect(errorCode(await postGraphQL(stack.url, SAVE, { i: { projectId: a.id, name: '  ', filter: {} } }, r.headers))).toBe(
      'BAD_USER_INPUT',
    );
    const none = await postGraphQL(stack.url, SAVE, { i: { projectId: a.id, name: 'empty', filter: { ids: b.studyIds } } }, r.headers);
    expect(errorCode(none)).toBe('BAD_USER_INPUT');
    // Even the administrator's cohort of A holds only A's studies, whatever ids the filter names.
    const mixed = await save(stack.users.admin, { projectId: a.id, name: 'mixed', filter: { ids: [...a.studyIds, ...b.studyIds] } });
    expect(mixed.latest.studyIds).toEqual([...a.studyIds].sort());
  });
});

describe('audit', () => {
  it('records saves, deletions and reads of cohorts', async () => {
    const rows = await stack.db.sql.query<{ action: string; outcome: string }>(`SELECT action, outcome::text AS outcome FROM "AuditEvent"`);
    const actions = new Set(rows.map((r) => `${r.action} ${r.outcome}`));
    for (const a of ['mutation.saveCohort SUCCESS', 'mutation.deleteCohort SUCCESS', 'query.cohort SUCCESS', 'query.cohorts SUCCESS']) {
      expect(actions).toContain(a);
    }
    expect([...actions].some((a) => a.startsWith('mutation.saveCohort') && !a.endsWith('SUCCESS'))).toBe(true);
  });
});
