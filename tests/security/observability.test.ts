// What the production server says and logs when things go wrong: malformed ids and cursors are the caller's
// BAD_USER_INPUT (never an internal error); validation errors keep their message and code over WebSocket too, with
// no "Did you mean" naming fields; /metrics needs its token; every request leaves one access log line (method,
// operation, status, duration, a hash of the user id) and every internal error one error line with its request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userIdHash } from '../../src/http/access-log.js';
import {
  capturingLogger,
  errorCode,
  postGraphQL,
  recordSubscription,
  startSecurityStack,
  type CapturedLogger,
  type SecurityStack,
} from '../support/security-fixture.js';

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';
let stack: SecurityStack;
let log: CapturedLogger;

beforeAll(async () => {
  log = capturingLogger('info');
  stack = await startSecurityStack({ env: { NODE_ENV: 'production', METRICS_TOKEN }, cohorts: { a: 1, b: 1 }, logger: log.logger });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const researcher = (): Readonly<Record<string, string>> => stack.users.researcherA.headers;
const logLines = (): Record<string, unknown>[] =>
  log
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('malformed ids and cursors', () => {
  const injected = Buffer.from("2020-01-01T00:00:00Z|x' OR 1=1--", 'utf8').toString('base64url');

  it.each([
    ['a studies cursor', `{ studies(first: 2, after: "${injected}") { totalCount } }`],
    ['a jobs cursor', `{ jobs(first: 2, after: "${injected}") { totalCount } }`],
    ['a cohortSummary modelSetId', '{ cohortSummary(modelSetId: "not-a-uuid") { studyCount } }'],
    ['an evaluation modelSetId', '{ evaluation(modelSetId: "x\' OR 1=1--") { score } }'],
    ['a predictions modelSetId', '{ studies(first: 1) { edges { node { predictions(modelSetId: "nope") { severity } } } } }'],
    ['a keypoints modelSetId', '{ studies(first: 1) { edges { node { keypoints(modelSetId: "nope") { level } } } } }'],
  ])('%s that is not a UUID is BAD_USER_INPUT', async (_what, query) => {
    const res = await postGraphQL(stack.url, query, {}, researcher());
    expect(errorCode(res), res.text).toBe('BAD_USER_INPUT');
    expect(res.text).not.toMatch(/Internal server error|invalid input syntax/);
  });
});

describe('validation errors in production', () => {
  it('over HTTP: the message, no "Did you mean"', async () => {
    const res = await postGraphQL(stack.url, '{ studys(first: 1) { totalCount } }', {}, researcher());
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toContain('Cannot query field "studys"');
    expect(res.text).not.toContain('Did you mean');
  });

  it('over WebSocket: the message and its code, not "Internal server error", no "Did you mean"', async () => {
    const client = stack.wsClient({ authorization: `Bearer ${stack.users.researcherA.token}` });
    const sub = recordSubscription(client, 'subscription { jobProgres(jobId: "00000000-0000-4000-8000-000000000000") { progress } }');
    expect(await sub.done).toBe('error');
    const [errors] = sub.errors as { message: string; extensions?: { code?: string } }[][];
    expect(errors[0].message).toContain('Cannot query field "jobProgres"');
    expect(errors[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(errors)).not.toContain('Did you mean');
    const syntax = recordSubscription(client, 'subscription { jobProgress(');
    expect(await syntax.done).toBe('error');
    const [syntaxErrors] = syntax.errors as { message: string; extensions?: { code?: string } }[][];
    expect(syntaxErrors[0].message).toMatch(/Syntax Error/);
    expect(syntaxErrors[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('/metrics', () => {
  it('answers only with its token', async () => {
    expect((await fetch(`${stack.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/metrics`, { headers: researcher() })).status).toBe(401);
    const ok = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('spinegraph_graphql_request_duration_seconds');
  });
});

describe('logs', () => {
  it('one access line per request: method, operation, status, duration, the user as a hash', async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...researcher() },
      body: JSON.stringify({ query: 'query VersionCheck { version }' }),
    });
    const requestId = res.headers.get('x-request-id');
    const lines = logLines().filter((l) => l.requestId === requestId && l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/graphql',
      operation: 'VersionCheck',
      status: 200,
      durationMs: expect.any(Number),
      user: userIdHash(stack.users.researcherA.id),
    });
    expect(JSON.stringify(lines[0])).not.toContain(stack.users.researcherA.id);
    expect(JSON.stringify(lines[0])).not.toContain(stack.users.researcherA.email);
  });

  it('every internal error logged once with its request id (this test drops a table of its own database)', async () => {
    await stack.db.sql.exec('DROP TABLE "Keypoint" CASCADE');
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...researcher() },
      body: JSON.stringify({ query: '{ studies(first: 1) { edges { node { keypoints { level } } } } }' }),
    });
    const body = (await res.json()) as { errors?: { message: string; extensions: { code: string } }[] };
    expect(body.errors?.[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = res.headers.get('x-request-id');
    const errorsLogged = logLines().filter((l) => l.requestId === requestId && l.level === 50);
    expect(errorsLogged).toHaveLength(1);
    expect(errorsLogged[0]).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', path: expect.stringContaining('keypoints') });
    expect(JSON.stringify(errorsLogged[0])).toContain('Keypoint');
    // The access line of the same request is there too.
    expect(logLines().filter((l) => l.requestId === requestId && l.msg === 'request')).toHaveLength(1);
  });
});
