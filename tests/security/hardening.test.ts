// Limits and production hardening against the real server started with NODE_ENV=production and small limits:
// body size, query depth and complexity, page size, the per-user mutation rate, introspection, the landing page,
// CSRF prevention, and errors that show neither stack traces nor SQL. The last describe drops tables of this
// file's throwaway database to force internal errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import { listAudit } from '../../src/services/audit.service.js';
import {
  errorCode,
  postGraphQL,
  recordSubscription,
  startSecurityStack,
  type HttpResult,
  type GraphQLBody,
  type SecurityStack,
} from '../support/security-fixture.js';

let stack: SecurityStack;

const LIMITS = {
  NODE_ENV: 'production',
  MAX_QUERY_DEPTH: '5',
  MAX_QUERY_COMPLEXITY: '300',
  MAX_PAGE_SIZE: '20',
  MUTATION_RATE_LIMIT_PER_MINUTE: '3',
  BODY_LIMIT: '8kb',
};

beforeAll(async () => {
  stack = await startSecurityStack({ env: LIMITS });
});

afterAll(async () => {
  await stack?.stop();
});

const researcher = (): Readonly<Record<string, string>> => stack.users.researcherA.headers;
const UNKNOWN_JOB = '00000000-0000-4000-8000-000000000000';

/** Nothing a production error may show: stack frames, file paths, SQL, Prisma's or PostgreSQL's wording. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/stacktrace|\bat .+\(.*:\d+:\d+\)|node_modules|\/src\/|\.ts:\d+/i);
  expect(text).not.toMatch(
    /\bSELECT\b|\bFROM "|\bWHERE\b|invalid input syntax|relation "|does not exist in the current database|prisma|\$queryRaw|uuid\[\]/i,
  );
}

function expectGenericInternalError(res: HttpResult<GraphQLBody>): void {
  const error = res.body.errors?.[0];
  expect(error, res.text).toBeDefined();
  expect(error?.message).toBe('Internal server error');
  expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  expectNoInternals(res.text);
}

describe('request size and shape limits', () => {
  it('refuses a body above BODY_LIMIT with 413, without internals', async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...researcher() },
      body: JSON.stringify({ query: '{ version }', variables: { padding: 'x'.repeat(12 * 1024) } }),
    });
    expect(res.status).toBe(413);
    const text = await res.text();
    expectNoInternals(text);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', details: { limit: 'BODY_SIZE' } } }] });
    // Control: just under the limit passes.
    const ok = await postGraphQL(stack.url, '{ version }', { padding: 'x'.repeat(6 * 1024) }, researcher());
    expect(ok.status).toBe(200);
  });

  it('refuses malformed JSON with 400, without internals', async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...researcher() },
      body: '{"query": "{ version }",',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expectNoInternals(text);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('refuses a query nested deeper than MAX_QUERY_DEPTH with BAD_USER_INPUT (QUERY_DEPTH)', async () => {
    const res = await postGraphQL(stack.url, '{ studies(first: 1) { edges { node { series { instances { id } } } } } }', {}, researcher());
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0].extensions?.details).toMatchObject({ limit: 'QUERY_DEPTH' });
    expect(res.body.data ?? undefined).toBeUndefined();
    // A hostile 300-level nesting is refused as quickly, and the server carries on.
    const hostile = `{ ${'a { '.repeat(300)}b${' }'.repeat(300)} }`;
    const deep = await postGraphQL(stack.url, hostile, {}, researcher());
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.some((e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions.details?.limit === 'QUERY_DEPTH')).toBe(
      true,
    );
    // Control: depth 5 passes.
    const ok = await postGraphQL(stack.url, '{ studies(first: 1) { edges { node { series { id } } } } }', {}, researcher());
    expect(ok.body.errors, ok.text).toBeUndefined();
  });

  it('refuses a too complex query, wide by aliases or multiplied by pages, with BAD_USER_INPUT (QUERY_COMPLEXITY)', async () => {
    const multiplied = await postGraphQL(
      stack.url,
      '{ studies(first: 20) { edges { node { series { id type description } } } } }',
      {},
      researcher(),
    );
    expect(errorCode(multiplied)).toBe('BAD_USER_INPUT');
    expect(multiplied.body.errors?.[0].extensions?.details).toMatchObject({ limit: 'QUERY_COMPLEXITY', maxComplexity: 300 });
    // 25 aliases: under the alias cap (30), so the complexity limit is what refuses it.
    const aliases = Array.from({ length: 25 }, (_, i) => `s${i}: studies(first: 20) { totalCount edges { node { id } } }`).join(' ');
    const wide = await postGraphQL(stack.url, `{ ${aliases} }`, {}, researcher());
    expect(errorCode(wide)).toBe('BAD_USER_INPUT');
    expect(wide.body.errors?.[0].extensions?.details).toMatchObject({ limit: 'QUERY_COMPLEXITY' });
    // The page size a variable asks for counts, not only literals.
    const byVariable = await postGraphQL(
      stack.url,
      'query($n: Int) { studies(first: $n) { edges { node { series { id type description } } } } }',
      { n: 20 },
      researcher(),
    );
    expect(errorCode(byVariable)).toBe('BAD_USER_INPUT');
    expect(byVariable.body.errors?.[0].extensions?.details).toMatchObject({ limit: 'QUERY_COMPLEXITY' });
    // Control: the same shape with small pages passes.
    const ok = await postGraphQL(
      stack.url,
      '{ studies(first: 2) { edges { node { series { id type description } } } } }',
      {},
      researcher(),
    );
    expect(ok.body.errors, ok.text).toBeUndefined();
  });

  it('refuses a page above MAX_PAGE_SIZE with BAD_USER_INPUT', async () => {
    for (const query of [
      '{ studies(first: 21) { totalCount } }',
      '{ jobs(first: 1000) { totalCount } }',
      '{ studies(first: -1) { totalCount } }',
    ]) {
      const res = await postGraphQL(stack.url, query, {}, researcher());
      expect(errorCode(res), query).toBe('BAD_USER_INPUT');
    }
    const ok = await postGraphQL(stack.url, '{ studies(first: 20) { totalCount } }', {}, researcher());
    expect(ok.body.errors).toBeUndefined();
  });

  it('limits graphql-ws subscriptions by the same depth rule', async () => {
    const client = stack.wsClient({ token: stack.users.researcherA.token });
    // jobUpdated { error { code } } is depth 3: allowed; an over-deep document is refused before it subscribes.
    const deep = recordSubscription(client, `subscription { jobUpdated { ${'a { '.repeat(10)}b${' }'.repeat(10)} } }`);
    expect(await deep.done).toBe('error');
    const errors = deep.errors[0] as { extensions?: { code?: string; details?: { limit?: string } } }[];
    expect(errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions.details?.limit === 'QUERY_DEPTH')).toBe(true);
  });
});

describe('mutation rate limit', () => {
  const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { id } }';

  it('answers the mutation after MUTATION_RATE_LIMIT_PER_MINUTE with 429 RATE_LIMITED and Retry-After, per user', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postGraphQL(stack.url, CANCEL, { id: UNKNOWN_JOB }, stack.users.viewerA.headers);
      expect(errorCode(res), `mutation ${i + 1}`).toBe('NOT_FOUND');
    }
    const limited = await postGraphQL(stack.url, CANCEL, { id: UNKNOWN_JOB }, stack.users.viewerA.headers);
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limited.body.errors?.[0].extensions?.details).toMatchObject({ retryAfterSeconds: retryAfter, limitPerMinute: 3 });
    // Queries are not counted, and another user has a budget of their own.
    const query = await postGraphQL(stack.url, '{ version }', {}, stack.users.viewerA.headers);
    expect(query.status).toBe(200);
    const other = await postGraphQL(stack.url, CANCEL, { id: UNKNOWN_JOB }, stack.users.researcherB.headers);
    expect(errorCode(other)).toBe('NOT_FOUND');
    // The refusal is on the record as a denial.
    const admin: Viewer = {
      userId: stack.users.admin.id,
      email: stack.users.admin.email,
      isAdmin: true,
      scope: { kind: 'all' },
      roles: new Map(),
    };
    const { events } = await listAudit(stack.db, admin, { userId: stack.users.viewerA.id, action: 'mutation.cancelJob' });
    expect(events.map((e) => [e.outcome, e.detail])).toEqual([
      ['DENIED', 'RATE_LIMITED'],
      ['ERROR', 'NOT_FOUND'],
      ['ERROR', 'NOT_FOUND'],
      ['ERROR', 'NOT_FOUND'],
    ]);
  });
});

describe('production hardening', () => {
  it('has introspection off', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Study") { fields { name } } }']) {
      const res = await postGraphQL(stack.url, query, {}, researcher());
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.data ?? undefined).toBeUndefined();
      expect(res.text).not.toContain('StudyConnection');
    }
  });

  it('serves no landing page', async () => {
    for (const headers of [{ accept: 'text/html' }, { accept: 'text/html', ...researcher() }]) {
      const res = await fetch(stack.url, { headers });
      const text = await res.text();
      expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      expect(text).not.toMatch(/<html|<!DOCTYPE|sandbox|embeddable|landing/i);
    }
  });

  it('blocks requests a browser could send cross-site (CSRF prevention)', async () => {
    const query = encodeURIComponent('{ version }');
    const simpleGet = await fetch(`${stack.url}?query=${query}`, { headers: researcher() });
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/Cross-Site Request Forgery/i);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': contentType, ...researcher() },
        body: JSON.stringify({ query: '{ version }' }),
      });
      expect(res.status, contentType).toBe(400);
      expect(await res.text()).not.toMatch(/"version"/);
    }
    // Control: the same GET with the preflight header Apollo asks for goes through; a mutation over GET never does.
    const preflighted = await fetch(`${stack.url}?query=${query}`, { headers: { ...researcher(), 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    const mutation = encodeURIComponent(`mutation { cancelJob(id: "${UNKNOWN_JOB}") { id } }`);
    const getMutation = await fetch(`${stack.url}?query=${mutation}`, {
      headers: { ...stack.users.researcherB.headers, 'apollo-require-preflight': 'true' },
    });
    expect(getMutation.status).toBe(405);
  });

  it('keeps validation and input errors useful but free of internals', async () => {
    const unknownField = await postGraphQL(stack.url, '{ studies { nope } }', {}, researcher());
    expect(errorCode(unknownField)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(unknownField.body.errors?.[0].extensions?.stacktrace).toBeUndefined();
    const badId = await postGraphQL(stack.url, '{ study(id: "not-an-id") { id } }', {}, researcher());
    expect(errorCode(badId)).toBe('BAD_USER_INPUT');
    expectNoInternals(unknownField.text + badId.text);
  });

  it('answers a cursor whose id is no UUID with BAD_USER_INPUT, never reaching PostgreSQL (issue 20)', async () => {
    // Decodes as a cursor (a date and an id), but the id is no UUID: once an internal error from the keyset query.
    const cursor = Buffer.from('2024-01-01T00:00:00.000Z|not-a-uuid', 'utf8').toString('base64url');
    for (const query of [
      'query($c: String) { studies(first: 1, after: $c) { totalCount } }',
      'query($c: String) { jobs(first: 1, after: $c) { totalCount } }',
    ]) {
      const res = await postGraphQL(stack.url, query, { c: cursor }, researcher());
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expectNoInternals(res.text);
    }
  });
});

describe('production errors when the database is broken (this file drops its own tables)', () => {
  it('a missing table is an internal error with no SQL, table name or stack', async () => {
    // Both the label rows and their maintained cell counts, so every way of reading labels meets a missing table.
    await stack.db.sql.exec('DROP TABLE "Label" CASCADE; DROP TABLE "LabelCellCount" CASCADE');
    // (Not cohortSummary: at 500 it is over this file's complexity budget of 300.)
    const res = await postGraphQL(stack.url, '{ studies(first: 1, filter: { labelled: true }) { totalCount } }', {}, researcher());
    expectGenericInternalError(res);
    expect(res.text).not.toContain('Label');
  });

  it('an authentication that cannot read its tables is a 500 with a generic message', async () => {
    await stack.db.sql.exec('DROP TABLE "Membership" CASCADE');
    const res = await postGraphQL(stack.url, '{ version }', {}, researcher());
    expect(res.status).toBe(500);
    expectGenericInternalError(res);
    expect(res.text).not.toContain('Membership');
    const exported = await fetch(`${stack.baseUrl}/exports/submission.csv`, { headers: researcher() });
    expect(exported.status).toBe(500);
    const body = await exported.text();
    expect(JSON.parse(body)).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  });
});
