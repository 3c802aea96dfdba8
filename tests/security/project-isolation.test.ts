// Authorisation against the real server: a user never sees, counts, exports, runs anything on, or subscribes to
// the jobs of another project, whatever ids or filters they pass; viewers only read; imports stay inside the
// data roots. Each refusal is checked beside a control that succeeds, so a broken fixture cannot pass as secure.
// The audit describe at the end reads back the record these attempts left.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import { mintLocalToken } from '../../src/auth/mint-token.js';
import { membershipsOf, provisionMembership } from '../../src/services/provision-user.js';
import { isAppError } from '../../src/domain/errors.js';
import { TOPICS } from '../../src/api/pubsub.js';
import { listAudit, type AuditEventRecord } from '../../src/services/audit.service.js';
import { toUpdatedMessage } from '../../src/services/job-store.js';
import {
  errorCode,
  postGraphQL,
  queryData,
  recordSubscription,
  startSecurityStack,
  type SecurityStack,
  type TestUser,
} from '../support/security-fixture.js';

let stack: SecurityStack;
/** A's inference job, started by A's researcher (queued: no worker serves this stack). */
let jobA: string;

beforeAll(async () => {
  stack = await startSecurityStack({ cohorts: { a: 2, b: 2 } });
  const started = await queryData<{ runInference: { id: string } }>(
    stack.url,
    'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }',
    { ids: stack.projects.a.studyIds },
    stack.users.researcherA.headers,
  );
  jobA = started.runInference.id;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const as = (user: TestUser): Readonly<Record<string, string>> => user.headers;
const STUDIES = 'query($f: StudyFilter) { studies(filter: $f, first: 50) { totalCount edges { node { id externalId } } } }';
type StudiesData = { studies: { totalCount: number; edges: { node: { id: string; externalId: string } }[] } };

describe('fixture (control)', () => {
  it('has two projects with distinct studies', () => {
    expect(stack.projects.a.studyIds).toHaveLength(2);
    expect(stack.projects.b.studyIds).toHaveLength(2);
    // External ids must differ, or the filter-by-externalIds attempt below would prove nothing.
    expect(stack.projects.a.externalIds.filter((e) => stack.projects.b.externalIds.includes(e))).toEqual([]);
  });
});

describe('cross-project reads', () => {
  it("a study of A is null for B's researcher, and visible to A's members", async () => {
    const q = 'query($id: ID!) { study(id: $id) { id project { id } series { id } } }';
    const id = stack.projects.a.studyIds[0];
    const foreign = await postGraphQL<{ study: unknown }>(stack.url, q, { id }, as(stack.users.researcherB));
    expect(foreign.status).toBe(200);
    expect(foreign.body.errors).toBeUndefined();
    expect(foreign.body.data?.study).toBeNull();
    for (const user of [stack.users.researcherA, stack.users.viewerA, stack.users.admin]) {
      const own = await queryData<{ study: { id: string; project: { id: string } } }>(stack.url, q, { id }, as(user));
      expect(own.study).toMatchObject({ id, project: { id: stack.projects.a.id } });
    }
  });

  it("no filter reaches A's studies for B's researcher: ids, externalIds, projectId, or all three", async () => {
    const { a, b } = stack.projects;
    const filters = [
      { ids: a.studyIds },
      { externalIds: a.externalIds },
      { projectId: a.id },
      { ids: a.studyIds, externalIds: a.externalIds, projectId: a.id },
      { ids: [...a.studyIds, ...b.studyIds], projectId: a.id },
    ];
    for (const f of filters) {
      const data = await queryData<StudiesData>(stack.url, STUDIES, { f }, as(stack.users.researcherB));
      expect(data.studies, JSON.stringify(f)).toEqual({ totalCount: 0, edges: [] });
    }
    // Control: the same filters aimed at B's own studies, and mixed ids, return exactly B's.
    const mixed = await queryData<StudiesData>(
      stack.url,
      STUDIES,
      { f: { ids: [...a.studyIds, ...b.studyIds] } },
      as(stack.users.researcherB),
    );
    expect(mixed.studies.totalCount).toBe(2);
    expect(mixed.studies.edges.map((e) => e.node.id).sort()).toEqual([...b.studyIds].sort());
    const all = await queryData<StudiesData>(stack.url, STUDIES, { f: null }, as(stack.users.researcherB));
    expect(all.studies.edges.map((e) => e.node.id).sort()).toEqual([...b.studyIds].sort());
    const admin = await queryData<StudiesData>(stack.url, STUDIES, { f: null }, as(stack.users.admin));
    expect(admin.studies.totalCount).toBe(4);
  });

  it("cohortSummary and evaluation count only the caller's own project", async () => {
    const summary =
      'query($f: StudyFilter) { cohortSummary(filter: $f, source: LABELLED) { studyCount cells { condition level severity count } } }';
    const evaluation = 'query($f: StudyFilter) { evaluation(filter: $f) { studyCount rowCount score } }';
    type Summary = { cohortSummary: { studyCount: number; cells: { count: number }[] } };
    type Eval = { evaluation: { studyCount: number; rowCount: number } };
    const bAll = await queryData<Summary>(stack.url, summary, { f: null }, as(stack.users.researcherB));
    const adminOfB = await queryData<Summary>(stack.url, summary, { f: { projectId: stack.projects.b.id } }, as(stack.users.admin));
    const adminAll = await queryData<Summary>(stack.url, summary, { f: null }, as(stack.users.admin));
    expect(bAll.cohortSummary.studyCount).toBe(2);
    expect(bAll).toEqual(adminOfB);
    expect(adminAll.cohortSummary.studyCount).toBe(4);
    for (const f of [
      { projectId: stack.projects.a.id },
      { ids: stack.projects.a.studyIds },
      { externalIds: stack.projects.a.externalIds },
    ]) {
      const foreign = await queryData<Summary>(stack.url, summary, { f }, as(stack.users.researcherB));
      expect(foreign.cohortSummary.studyCount).toBe(0);
      expect(foreign.cohortSummary.cells.every((c) => c.count === 0)).toBe(true);
      const foreignEval = await queryData<Eval>(stack.url, evaluation, { f }, as(stack.users.researcherB));
      expect(foreignEval.evaluation).toMatchObject({ studyCount: 0, rowCount: 0 });
    }
    const bEval = await queryData<Eval>(stack.url, evaluation, { f: null }, as(stack.users.researcherB));
    const adminEvalOfB = await queryData<Eval>(stack.url, evaluation, { f: { projectId: stack.projects.b.id } }, as(stack.users.admin));
    expect(bEval).toEqual(adminEvalOfB);
  });

  it("the submission export holds none of A's rows for B's researcher, whatever the filter", async () => {
    const exportAs = async (user: TestUser, filter?: Record<string, unknown>): Promise<string[]> => {
      const query = filter ? `?filter=${encodeURIComponent(JSON.stringify(filter))}` : '';
      const res = await fetch(`${stack.baseUrl}/exports/submission.csv${query}`, { headers: as(user) });
      expect(res.status).toBe(200);
      return (await res.text()).trim().split('\n');
    };
    const studyOf = (row: string): string => row.split('_')[0];
    const { a, b } = stack.projects;
    for (const f of [{ projectId: a.id }, { ids: a.studyIds }, { externalIds: a.externalIds }]) {
      expect(await exportAs(stack.users.researcherB, f)).toEqual(['row_id,normal_mild,moderate,severe']);
    }
    const bRows = await exportAs(stack.users.researcherB);
    expect(bRows).toHaveLength(1 + 2 * 25);
    expect(new Set(bRows.slice(1).map(studyOf))).toEqual(new Set(b.externalIds));
    // Control: A's researcher gets A's rows with the same filter.
    const aRows = await exportAs(stack.users.researcherA, { projectId: a.id });
    expect(new Set(aRows.slice(1).map(studyOf))).toEqual(new Set(a.externalIds));
  });

  it("A's job is invisible to B's researcher: job(id), jobs, cancelJob", async () => {
    const jobQ = 'query($id: ID!) { job(id: $id) { id status } }';
    const foreign = await postGraphQL<{ job: unknown }>(stack.url, jobQ, { id: jobA }, as(stack.users.researcherB));
    expect(foreign.body.errors).toBeUndefined();
    expect(foreign.body.data?.job).toBeNull();
    const list = 'query { jobs(first: 50, includeChildren: true) { totalCount edges { node { id } } } }';
    type Jobs = { jobs: { totalCount: number; edges: { node: { id: string } }[] } };
    const bJobs = await queryData<Jobs>(stack.url, list, {}, as(stack.users.researcherB));
    expect(bJobs.jobs).toEqual({ totalCount: 0, edges: [] });
    const cancel = await postGraphQL(
      stack.url,
      'mutation($id: ID!) { cancelJob(id: $id) { id } }',
      { id: jobA },
      as(stack.users.researcherB),
    );
    expect(errorCode(cancel)).toBe('NOT_FOUND');
    // Control: A's viewer sees the job and its two children.
    const own = await queryData<{ job: { id: string; status: string } }>(stack.url, jobQ, { id: jobA }, as(stack.users.viewerA));
    expect(own.job).toMatchObject({ id: jobA, status: 'QUEUED' });
    const aJobs = await queryData<Jobs>(stack.url, list, {}, as(stack.users.viewerA));
    expect(aJobs.jobs.totalCount).toBe(3);
  });

  it("jobProgress on A's job fails with NOT_FOUND for B's researcher", async () => {
    const q = 'subscription($id: ID!) { jobProgress(jobId: $id) { jobId status } }';
    const foreign = recordSubscription<{ jobProgress: { status: string } }>(stack.wsClient({ token: stack.users.researcherB.token }), q, {
      id: jobA,
    });
    expect(await foreign.done).toBe('error');
    expect(foreign.messages).toEqual([]);
    const errors = foreign.errors[0] as { message: string; extensions?: { code?: string } }[];
    expect(Array.isArray(errors)).toBe(true);
    expect(errors[0].extensions?.code).toBe('NOT_FOUND');
    // Exactly what a made-up id gets, so job ids of other projects cannot be probed.
    const madeUp = recordSubscription(stack.wsClient({ token: stack.users.researcherB.token }), q, {
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(await madeUp.done).toBe('error');
    expect((madeUp.errors[0] as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('NOT_FOUND');
    // Control: A's viewer gets the current state at once.
    const own = recordSubscription<{ jobProgress: { status: string } }>(stack.wsClient({ token: stack.users.viewerA.token }), q, {
      id: jobA,
    });
    await waitFor(() => own.messages.length > 0);
    expect(own.messages[0].jobProgress.status).toBe('QUEUED');
    own.stop();
  });

  it("jobUpdated never delivers A's job events to B's subscriber", async () => {
    const q = 'subscription { jobUpdated { id status } }';
    type Update = { jobUpdated: { id: string; status: string } };
    const bSub = recordSubscription<Update>(stack.wsClient({ token: stack.users.researcherB.token }), q);
    const aSub = recordSubscription<Update>(stack.wsClient({ token: stack.users.viewerA.token }), q);
    // Each subscription proves it is live by receiving a job of its own project first (re-announced through the
    // server's pub/sub until it arrives: a subscription registers asynchronously).
    const run = 'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }';
    const bJob = (
      await queryData<{ runInference: { id: string } }>(stack.url, run, { ids: stack.projects.b.studyIds }, as(stack.users.researcherB))
    ).runInference.id;
    await announceUntil(bJob, () => bSub.messages.some((m) => m.jobUpdated.id === bJob));
    const aJob = await aQueuedJob();
    await announceUntil(aJob, () => aSub.messages.some((m) => m.jobUpdated.id === aJob));
    await queryData(stack.url, 'mutation($id: ID!) { cancelJob(id: $id) { id status } }', { id: jobA }, as(stack.users.researcherA));
    await waitFor(() => aSub.messages.some((m) => m.jobUpdated.id === jobA && m.jobUpdated.status === 'CANCELLED'));
    // B's subscription had every chance to (wrongly) receive A's events: they were published after B's own.
    await new Promise((r) => setTimeout(r, 500));
    const bJobIds = new Set(
      (await stack.db.prisma.job.findMany({ where: { projectId: stack.projects.b.id }, select: { id: true } })).map((j) => j.id),
    );
    expect(bSub.messages.length).toBeGreaterThan(0);
    expect(bSub.messages.filter((m) => !bJobIds.has(m.jobUpdated.id))).toEqual([]);
    expect(aSub.messages.filter((m) => bJobIds.has(m.jobUpdated.id))).toEqual([]);
    expect(bSub.errors).toEqual([]);
    bSub.stop();
    aSub.stop();
  });

  it('queries and mutations over graphql-ws are refused (they would bypass the audit and the rate limit)', async () => {
    const client = stack.wsClient({ token: stack.users.researcherA.token });
    const query = recordSubscription(client, '{ studies { totalCount edges { node { id } } } }');
    expect(await query.done).toBe('error');
    expect(query.messages).toEqual([]);
    expect((query.errors[0] as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('BAD_USER_INPUT');
    const target = await aQueuedJob();
    const mutation = recordSubscription(client, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: target });
    expect(await mutation.done).toBe('error');
    expect(mutation.messages).toEqual([]);
    expect((await stack.db.prisma.job.findUniqueOrThrow({ where: { id: target } })).status).toBe('QUEUED');
  });
});

describe('roles: what a viewer, a researcher and an outsider may not do', () => {
  it("refuses each of a viewer's mutations with FORBIDDEN and changes nothing", async () => {
    const viewer = as(stack.users.viewerA);
    const { a } = stack.projects;
    const jobsBefore = await stack.db.prisma.job.count();
    const instance = await firstInstanceOf(a.studyIds[0]);
    await mkdir(join(stack.dataRoot, 'viewer-import'), { recursive: true });
    const attempts: [string, string, Record<string, unknown>][] = [
      ['runInference by ids', 'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }', { ids: a.studyIds }],
      ['runInference by filter', 'mutation($f: StudyFilter) { runInference(input: { filter: $f }) { id } }', { f: { projectId: a.id } }],
      [
        'importStudies',
        'mutation($p: String!, $pid: ID) { importStudies(input: { path: $p, projectId: $pid }) { id } }',
        { p: 'viewer-import', pid: a.id },
      ],
      [
        'startTraining',
        'mutation($f: StudyFilter) { startTraining(input: { config: "tiny", filter: $f }) { id } }',
        { f: { projectId: a.id } },
      ],
      ['startTraining without filter', 'mutation { startTraining(input: { config: "tiny" }) { id } }', {}],
      [
        'correctKeypoint',
        'mutation($s: ID!, $i: ID!) { correctKeypoint(input: { studyId: $s, instanceId: $i, level: L4_L5, pixelX: 10, pixelY: 10 }) { id } }',
        { s: a.studyIds[0], i: instance.id },
      ],
      ['cancelJob', 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: await aQueuedJob() }],
      ['activateModelSet', 'mutation($id: ID!) { activateModelSet(id: $id) { id } }', { id: stack.modelSetId }],
    ];
    for (const [name, query, variables] of attempts) {
      const res = await postGraphQL(stack.url, query, variables, viewer);
      expect(errorCode(res), `${name}: ${res.text}`).toBe('FORBIDDEN');
      expect(res.body.data ?? null, name).toBeNull();
    }
    // aQueuedJob() added a cohort job and its child (A's researcher's); the viewer added none, and no keypoint.
    expect(await stack.db.prisma.job.count({ where: { requestedById: stack.users.viewerA.id } })).toBe(0);
    expect(await stack.db.prisma.job.count()).toBe(jobsBefore + 2);
    expect(await stack.db.prisma.keypoint.count({ where: { source: 'MANUAL' } })).toBe(0);
  });

  it('activateModelSet needs a system administrator: FORBIDDEN for a researcher', async () => {
    const q = 'mutation($id: ID!) { activateModelSet(id: $id) { id isActive } }';
    const res = await postGraphQL(stack.url, q, { id: stack.modelSetId }, as(stack.users.researcherA));
    expect(errorCode(res)).toBe('FORBIDDEN');
    const admin = await queryData<{ activateModelSet: { isActive: boolean } }>(
      stack.url,
      q,
      { id: stack.modelSetId },
      as(stack.users.admin),
    );
    expect(admin.activateModelSet.isActive).toBe(true);
  });

  it("A's researcher cannot run inference on, or correct keypoints of, B's studies: NOT_FOUND, nothing queued", async () => {
    const run = 'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }';
    const jobsBefore = await stack.db.prisma.job.count();
    const { a, b } = stack.projects;
    for (const ids of [b.studyIds, [a.studyIds[0], b.studyIds[0]]]) {
      const res = await postGraphQL(stack.url, run, { ids }, as(stack.users.researcherA));
      expect(errorCode(res), res.text).toBe('NOT_FOUND');
    }
    const byFilter = await postGraphQL(
      stack.url,
      'mutation($f: StudyFilter) { runInference(input: { filter: $f }) { id } }',
      { f: { projectId: b.id } },
      as(stack.users.researcherA),
    );
    expect(errorCode(byFilter)).not.toBeUndefined();
    expect(await stack.db.prisma.job.count()).toBe(jobsBefore);

    const correct =
      'mutation($s: ID!, $i: ID!) { correctKeypoint(input: { studyId: $s, instanceId: $i, level: L4_L5, pixelX: 10, pixelY: 10 }) { id } }';
    const bInstance = await firstInstanceOf(b.studyIds[0]);
    const foreignStudy = await postGraphQL(stack.url, correct, { s: b.studyIds[0], i: bInstance.id }, as(stack.users.researcherA));
    expect(errorCode(foreignStudy)).toBe('NOT_FOUND');
    // Own study, but an image of B's: still NOT_FOUND.
    const foreignImage = await postGraphQL(stack.url, correct, { s: a.studyIds[0], i: bInstance.id }, as(stack.users.researcherA));
    expect(errorCode(foreignImage)).toBe('NOT_FOUND');
    // Training on B's labelled studies through a filter naming B.
    const train = await postGraphQL(
      stack.url,
      'mutation($f: StudyFilter) { startTraining(input: { config: "tiny", filter: $f }) { id } }',
      { f: { projectId: b.id } },
      as(stack.users.researcherA),
    );
    expect(errorCode(train)).toBe('NOT_FOUND');
    expect(await stack.db.prisma.keypoint.count({ where: { source: 'MANUAL' } })).toBe(0);
    expect(await stack.db.prisma.job.count()).toBe(jobsBefore);
  });

  it("importing into B's project is NOT_FOUND for A's researcher", async () => {
    await mkdir(join(stack.dataRoot, 'into-b'), { recursive: true });
    const res = await postGraphQL(
      stack.url,
      'mutation($pid: ID) { importStudies(input: { path: "into-b", projectId: $pid }) { id } }',
      { pid: stack.projects.b.id },
      as(stack.users.researcherA),
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
  });
});

describe('memberships decide, not tokens', () => {
  it('a revoked membership takes effect on the next request with the same, still valid token', async () => {
    const granted = await provisionMembership(stack.db, {
      email: 'revoked@security.example.org',
      projectName: stack.projects.a.name,
      role: 'RESEARCHER',
    });
    const { token } = await mintLocalToken(stack.config.auth, {
      userId: granted.user.id,
      email: granted.user.email,
      admin: false,
      memberships: await membershipsOf(stack.db, granted.user.id),
      ttlSeconds: 600,
    });
    const headers = { authorization: `Bearer ${token}` };
    expect((await queryData<StudiesData>(stack.url, STUDIES, { f: null }, headers)).studies.totalCount).toBe(2);
    // A graphql-ws connection opened before the revocation, kept open by a long-lived subscription.
    const client = stack.wsClient({ token });
    let connections = 0;
    client.on('connected', () => connections++);
    const keepAlive = recordSubscription(client, 'subscription { jobUpdated { id } }');
    const progress = 'subscription($id: ID!) { jobProgress(jobId: $id) { status } }';
    const before = recordSubscription<{ jobProgress: { status: string } }>(client, progress, { id: jobA });
    await waitFor(() => before.messages.length > 0);
    before.stop();

    await stack.db.prisma.membership.delete({ where: { projectId_userId: { projectId: stack.projects.a.id, userId: granted.user.id } } });
    expect((await queryData<StudiesData>(stack.url, STUDIES, { f: null }, headers)).studies).toEqual({ totalCount: 0, edges: [] });
    const run = await postGraphQL(
      stack.url,
      'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }',
      { ids: stack.projects.a.studyIds },
      headers,
    );
    expect(errorCode(run)).toBe('NOT_FOUND');
    // A new subscription on the old connection is checked against the memberships of now.
    const after = recordSubscription(client, progress, { id: jobA });
    expect(await Promise.race([after.done, waitFor(() => after.messages.length > 0).then(() => 'delivered')])).toBe('error');
    expect((after.errors[0] as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('NOT_FOUND');
    expect(connections).toBe(1);
    keepAlive.stop();
  });

  it("a token's own claims grant nothing: sg:admin and sg:memberships are ignored", async () => {
    // Signed with the real secret, claiming system administration and A's admin role for B's researcher.
    const { token } = await mintLocalToken(stack.config.auth, {
      userId: stack.users.researcherB.id,
      email: stack.users.researcherB.email,
      admin: true,
      memberships: [{ project: stack.projects.a.name, role: 'ADMIN' }],
      ttlSeconds: 600,
    });
    const headers = { authorization: `Bearer ${token}` };
    const data = await queryData<StudiesData>(stack.url, STUDIES, { f: { projectId: stack.projects.a.id } }, headers);
    expect(data.studies.totalCount).toBe(0);
    const activate = await postGraphQL(
      stack.url,
      'mutation($id: ID!) { activateModelSet(id: $id) { id } }',
      { id: stack.modelSetId },
      headers,
    );
    expect(errorCode(activate)).toBe('FORBIDDEN');
  });
});

describe('import paths are confined to DATA_ROOTS', () => {
  const IMPORT = 'mutation($p: String!, $pid: ID) { importStudies(input: { path: $p, projectId: $pid }) { id params } }';
  const importAs = (path: string) =>
    postGraphQL<{ importStudies: { id: string; params: { path: string } } }>(
      stack.url,
      IMPORT,
      { p: path, pid: stack.projects.a.id },
      as(stack.users.researcherA),
    );

  it('refuses .. escapes, absolute paths outside, sibling prefixes and symlinks out of the root; queues only the control', async () => {
    const importsBefore = await stack.db.prisma.job.count({ where: { kind: 'IMPORT' } });
    await mkdir(join(stack.dataRoot, 'cohort', 'nested'), { recursive: true });
    await mkdir(join(stack.outside, 'secret-cohort'), { recursive: true });
    await symlink(stack.outside, join(stack.dataRoot, 'link-out'));
    await symlink(join(stack.outside, 'secret-cohort'), join(stack.dataRoot, 'cohort', 'nested', 'deep-link'));
    // A folder whose name starts with the root's: a naive prefix check would let it through.
    const sibling = `${stack.dataRoot}-evil`;
    await mkdir(sibling, { recursive: true });
    await writeFile(join(stack.dataRoot, 'cohort', 'a-file.dcm'), 'not a folder');

    const forbidden = [
      '../outside',
      'cohort/../../outside',
      'cohort/nested/../../../outside/secret-cohort',
      `${stack.dataRoot}/../outside`,
      stack.outside,
      '/etc',
      '/',
      sibling,
      '../data-root-evil',
      'link-out',
      join(stack.dataRoot, 'link-out'),
      'cohort/nested/deep-link',
      // Missing paths outside are refused the same way, so the file system outside cannot be probed.
      '../no-such-folder',
      '/no/such/absolute/folder',
      'link-out/no-such-folder',
    ];
    for (const path of forbidden) {
      const res = await importAs(path);
      expect(errorCode(res), `${path}: ${res.text}`).toBe('FORBIDDEN');
    }
    for (const path of ['does-not-exist', 'cohort/no-such-folder', 'cohort/a-file.dcm', 'cohort\0/../../outside', '']) {
      const res = await importAs(path);
      expect(errorCode(res), `${JSON.stringify(path)}: ${res.text}`).toBe('BAD_USER_INPUT');
    }
    expect(await stack.db.prisma.job.count({ where: { kind: 'IMPORT' } })).toBe(importsBefore);

    // Control: a folder inside the root is accepted, stored as its real path.
    const ok = await importAs('cohort/nested/../nested');
    expect(ok.body.errors, ok.text).toBeUndefined();
    expect(ok.body.data?.importStudies.params.path).toBe(join(stack.dataRoot, 'cohort', 'nested'));
    expect(await stack.db.prisma.job.count({ where: { kind: 'IMPORT' } })).toBe(importsBefore + 1);
  });
});

describe('audit', () => {
  const adminViewer = (): Viewer => ({
    userId: stack.users.admin.id,
    email: stack.users.admin.email,
    isAdmin: true,
    scope: { kind: 'all' },
    roles: new Map(),
  });

  async function allEvents(): Promise<AuditEventRecord[]> {
    const events: AuditEventRecord[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listAudit(stack.db, adminViewer(), { first: 200, after });
      events.push(...page.events);
      if (!page.hasNextPage) return events;
      after = page.endCursor;
    }
  }

  it('the administrator finds the attempts above: successes and denials, with user ids, actions and request ids', async () => {
    const events = await allEvents();
    const find = (user: TestUser, action: string, outcome: string, pred: (e: AuditEventRecord) => boolean = () => true) =>
      events.filter((e) => e.userId === user.id && e.action === action && e.outcome === outcome && pred(e));
    const { a } = stack.projects;
    // B's researcher asked for A's study by id: answered (null), and on the record with the id asked for.
    expect(find(stack.users.researcherB, 'query.study', 'SUCCESS', (e) => e.targetIds.includes(a.studyIds[0]))).not.toHaveLength(0);
    expect(
      find(stack.users.researcherB, 'query.studies', 'SUCCESS', (e) => (e.filter as { projectId?: string } | null)?.projectId === a.id),
    ).not.toHaveLength(0);
    expect(find(stack.users.researcherB, 'query.cohortSummary', 'SUCCESS')).not.toHaveLength(0);
    expect(
      find(stack.users.researcherB, 'export.submission', 'SUCCESS', (e) => (e.filter as { projectId?: string } | null)?.projectId === a.id),
    ).not.toHaveLength(0);
    // The viewer's mutations were denied.
    for (const action of [
      'mutation.runInference',
      'mutation.importStudies',
      'mutation.startTraining',
      'mutation.correctKeypoint',
      'mutation.cancelJob',
      'mutation.activateModelSet',
    ]) {
      const denied = find(stack.users.viewerA, action, 'DENIED');
      expect(denied, action).not.toHaveLength(0);
      expect(denied[0].detail).toContain('FORBIDDEN');
    }
    // Path escapes are denials of A's researcher; the control import succeeded.
    expect(find(stack.users.researcherA, 'mutation.importStudies', 'DENIED').length).toBeGreaterThanOrEqual(10);
    expect(find(stack.users.researcherA, 'mutation.importStudies', 'SUCCESS')).toHaveLength(1);
    expect(
      find(stack.users.researcherA, 'mutation.runInference', 'SUCCESS', (e) => a.studyIds.every((id) => e.targetIds.includes(id))),
    ).toHaveLength(1);
    // A foreign id reads as NOT_FOUND to the caller; the record keeps the ids they tried.
    const foreignRun = find(stack.users.researcherA, 'mutation.runInference', 'ERROR', (e) =>
      e.targetIds.includes(stack.projects.b.studyIds[0]),
    );
    expect(foreignRun.map((e) => e.detail)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(find(stack.users.researcherA, 'mutation.activateModelSet', 'DENIED')).toHaveLength(1);
    expect(find(stack.users.admin, 'mutation.activateModelSet', 'SUCCESS')).toHaveLength(1);
    for (const e of events) {
      expect(e.requestId).toEqual(expect.any(String));
      expect(e.userEmail).toEqual(expect.stringContaining('@security.example.org'));
    }
  });

  it("an event's request id is the one the response carried", async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as(stack.users.viewerA) },
      body: JSON.stringify({ query: '{ studies(first: 1) { totalCount } }' }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const [latest] = (await listAudit(stack.db, adminViewer(), { first: 1, userId: stack.users.viewerA.id })).events;
    expect(latest).toMatchObject({ action: 'query.studies', outcome: 'SUCCESS', requestId });
  });

  it('the audit log is for administrators: members without ADMIN are refused, a project admin reads their projects only', async () => {
    const a = stack.projects.a;
    const b = stack.projects.b;
    const member = (userId: string, email: string, role: 'RESEARCHER' | 'VIEWER' | 'ADMIN'): Viewer => ({
      userId,
      email,
      isAdmin: false,
      scope: { kind: 'projects', projectIds: [a.id] },
      roles: new Map([[a.id, role]]),
    });
    const refused = async (viewer: Viewer, query = {}): Promise<unknown> =>
      listAudit(stack.db, viewer, query).then(
        () => undefined,
        (e: unknown) => (isAppError(e) ? e.code : e),
      );
    for (const [user, role] of [
      [stack.users.researcherA, 'RESEARCHER'],
      [stack.users.viewerA, 'VIEWER'],
    ] as const) {
      expect(await refused(member(user.id, user.email, role))).toBe('FORBIDDEN');
    }
    const projectAdmin = member(stack.users.researcherA.id, stack.users.researcherA.email, 'ADMIN');
    // Another project's events stay closed to A's administrator, asked for by id.
    expect(await refused(projectAdmin, { projectId: b.id })).toBe('FORBIDDEN');
    const everything = await listAudit(stack.db, adminViewer(), { first: 500 });
    const own = await listAudit(stack.db, projectAdmin, { first: 500 });
    const namesA = (e: AuditEventRecord): boolean =>
      e.targetIds.includes(a.id) ||
      e.targetIds.includes(a.name) ||
      (typeof e.filter === 'object' && e.filter !== null && (e.filter as { projectId?: unknown }).projectId === a.id);
    expect(own.events.length).toBeGreaterThan(0);
    expect(own.events.every(namesA)).toBe(true);
    // Whatever names only project B (its reads in the tests above) is in the system administrator's log, not in A's.
    const onlyB = everything.events.filter((e) => !namesA(e) && (e.targetIds.includes(b.id) || e.targetIds.includes(b.name)));
    expect(onlyB.length).toBeGreaterThan(0);
    const ownIds = new Set(own.events.map((e) => e.id));
    expect(onlyB.some((e) => ownIds.has(e.id))).toBe(false);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on AuditEvent', async () => {
    const count = await stack.db.prisma.auditEvent.count();
    expect(count).toBeGreaterThan(0);
    for (const statement of [
      `UPDATE "AuditEvent" SET outcome = 'SUCCESS'`,
      `UPDATE "AuditEvent" SET "userId" = NULL`,
      'DELETE FROM "AuditEvent"',
      'TRUNCATE "AuditEvent"',
    ]) {
      await expect(stack.db.sql.exec(statement), statement).rejects.toThrow();
    }
    await expect(stack.db.prisma.auditEvent.deleteMany({})).rejects.toThrow();
    expect(await stack.db.prisma.auditEvent.count()).toBe(count);
  });
});

async function firstInstanceOf(studyId: string): Promise<{ id: string }> {
  return stack.db.prisma.instance.findFirstOrThrow({ where: { series: { studyId } }, select: { id: true } });
}

/** A fresh queued job of A (for cancel attempts), started by A's researcher. */
async function aQueuedJob(): Promise<string> {
  const data = await queryData<{ runInference: { id: string } }>(
    stack.url,
    'mutation($ids: [ID!]) { runInference(input: { studyIds: $ids }) { id } }',
    { ids: [stack.projects.a.studyIds[0]] },
    as(stack.users.researcherA),
  );
  return data.runInference.id;
}

/** Publishes the job's current state on JOB_UPDATED (as the job store does on a change) until `arrived()`. */
async function announceUntil(jobId: string, arrived: () => boolean): Promise<void> {
  const started = Date.now();
  while (!arrived()) {
    if (Date.now() - started > 10_000) throw new Error(`job ${jobId} never arrived at its subscriber`);
    stack.server.services.pubSub.publish(
      TOPICS.JOB_UPDATED,
      toUpdatedMessage(await stack.db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })),
    );
    await waitFor(arrived, 300).catch(() => undefined);
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 25));
  }
}
