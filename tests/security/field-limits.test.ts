// Limits per field, not per operation, against the real production server: the mutation rate limit counts every
// mutation field a request runs (aliases and fragments included); an operation may use at most MAX_QUERY_ALIASES
// aliases; aggregate fields (evaluation, cohortSummary) cost what they read in the complexity budget; and a request
// leaves one audit row listing its fields, however many aliases it uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/services/audit.service.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { errorCode, postGraphQL, startSecurityStack, type SecurityStack } from '../support/security-fixture.js';

let stack: SecurityStack;
const UNKNOWN_JOB = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  stack = await startSecurityStack({ env: { NODE_ENV: 'production', MUTATION_RATE_LIMIT_PER_MINUTE: '5', MAX_QUERY_ALIASES: '30' } });
});

afterAll(async () => {
  await stack?.stop();
});

const aliased = (n: number, field: string): string => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
const admin = (): Viewer => ({
  userId: stack.users.admin.id,
  email: stack.users.admin.email,
  isAdmin: true,
  scope: { kind: 'all' },
  roles: new Map(),
});

describe('the mutation rate limit counts fields', () => {
  it('counts each aliased mutation field, and refuses a request whose fields do not all fit', async () => {
    const headers = stack.users.researcherA.headers;
    const three = await postGraphQL(stack.url, `mutation { ${aliased(3, `cancelJob(id: "${UNKNOWN_JOB}") { id }`)} }`, {}, headers);
    expect(three.status).toBe(200);
    expect(errorCode(three)).toBe('NOT_FOUND');
    // 3 of 5 taken: three more do not fit (on a per-operation count they would).
    const next = await postGraphQL(stack.url, `mutation { ${aliased(3, `cancelJob(id: "${UNKNOWN_JOB}") { id }`)} }`, {}, headers);
    expect(next.status).toBe(429);
    expect(next.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', details: { fields: 3, limitPerMinute: 5 } });
    // Fields inside fragments count too.
    const fragments = await postGraphQL(
      stack.url,
      `mutation { ...C ... on Mutation { b: cancelJob(id: "${UNKNOWN_JOB}") { id } c: cancelJob(id: "${UNKNOWN_JOB}") { id } } }
       fragment C on Mutation { a: cancelJob(id: "${UNKNOWN_JOB}") { id } }`,
      {},
      headers,
    );
    expect(fragments.status).toBe(429);
    expect(fragments.body.errors?.[0]?.extensions).toMatchObject({ details: { fields: 3 } });
  });

  it('refuses a request of more mutation fields than a minute allows, saying so', async () => {
    const res = await postGraphQL(
      stack.url,
      `mutation { ${aliased(6, `cancelJob(id: "${UNKNOWN_JOB}") { id }`)} }`,
      {},
      stack.users.researcherB.headers,
    );
    expect(res.status).toBe(429);
    expect(res.body.errors?.[0]?.message).toMatch(/runs 6 mutation fields and at most 5 per minute/);
    // Nothing was counted: one field still passes.
    const one = await postGraphQL(stack.url, `mutation { cancelJob(id: "${UNKNOWN_JOB}") { id } }`, {}, stack.users.researcherB.headers);
    expect(errorCode(one)).toBe('NOT_FOUND');
  });
});

describe('aliases and aggregate costs', () => {
  it('refuses more than MAX_QUERY_ALIASES aliases in one operation', async () => {
    const ok = await postGraphQL(stack.url, `{ ${aliased(30, 'version')} }`, {}, stack.users.viewerA.headers);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const refused = await postGraphQL(stack.url, `{ ${aliased(31, 'version')} }`, {}, stack.users.viewerA.headers);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      details: { limit: 'QUERY_ALIASES', aliases: 31, maxAliases: 30 },
    });
  });

  it('charges evaluation what it reads: 25 aliased evaluations exceed the budget', async () => {
    const refused = await postGraphQL(
      stack.url,
      `{ ${aliased(25, 'evaluation(filter: { labelled: true }) { score }')} }`,
      {},
      stack.users.viewerA.headers,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { limit: 'QUERY_COMPLEXITY' } });
    // Each evaluation costs 1000 (+1 for its score): the budget (20000) holds 19.
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ details: { complexity: 25 * 1001, maxComplexity: 20_000 } });
    const few = await postGraphQL(
      stack.url,
      `{ ${aliased(3, 'evaluation(filter: { labelled: true }) { score }')} }`,
      {},
      stack.users.viewerA.headers,
    );
    // Within the budget (no model set is active here, so each answers BAD_USER_INPUT for that, not for a limit).
    expect(few.status).toBe(200);
    expect(JSON.stringify(few.body.errors ?? [])).not.toContain('QUERY_COMPLEXITY');
  });
});

describe('the audit log', () => {
  it('writes one row per request, listing its fields', async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.users.viewerA.headers },
      body: JSON.stringify({
        query: `{ ${aliased(5, 'evaluation(filter: { labelled: true }) { score }')} s1: studies(first: 1) { totalCount } s2: studies(first: 2) { totalCount } version }`,
      }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id') as string;
    const { events } = await listAudit(stack.db, admin(), { first: 50, userId: stack.users.viewerA.id });
    const mine = events.filter((e) => e.requestId === requestId);
    expect(mine).toHaveLength(1);
    // (No model set is active in this stack, so evaluation answers BAD_USER_INPUT: the row says so before the fields.)
    expect(mine[0]).toMatchObject({
      action: 'query.multiple',
      detail: expect.stringMatching(/^(\S+; )?fields: evaluation x5, studies x2$/),
    });
    expect(mine[0].filter).toEqual({ labelled: true });

    const single = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.users.viewerA.headers },
      body: JSON.stringify({ query: `{ ${aliased(4, 'cohortSummary { studyCount }')} }` }),
    });
    const singleId = single.headers.get('x-request-id') as string;
    const after = (await listAudit(stack.db, admin(), { first: 50, userId: stack.users.viewerA.id })).events.filter(
      (e) => e.requestId === singleId,
    );
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ action: 'query.cohortSummary', detail: expect.stringMatching(/^(\S+; )?fields: cohortSummary x4$/) });
  });
});
