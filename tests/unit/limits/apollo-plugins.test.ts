// The limits inside a real Apollo Server, with the project's error formatter: what a client actually receives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import { formatError } from '../../../src/api/errors.js';
import { createComplexityPlugin, createMutationRateLimitPlugin } from '../../../src/api/limits/apollo-plugins.js';
import { createComplexityRule } from '../../../src/api/limits/query-complexity.js';
import { createDepthLimitRule } from '../../../src/api/limits/query-depth.js';
import { createRateLimiter } from '../../../src/api/limits/rate-limiter.js';
import { limitsSchema } from './limits-schema.js';

interface Ctx {
  userId: string;
}

let server: ApolloServer<Ctx>;

beforeAll(async () => {
  server = new ApolloServer<Ctx>({
    schema: limitsSchema,
    rootValue: { importStudies: () => true, projects: () => [{ id: 'p', name: 'cohort' }], studies: () => ({ nodes: [], totalCount: 0 }) },
    validationRules: [createDepthLimitRule(4), createComplexityRule({ maxComplexity: 5000, maxListSize: 100 })],
    plugins: [
      createMutationRateLimitPlugin<Ctx>(createRateLimiter({ perMinute: 2 }), (ctx) => ctx.userId),
      createComplexityPlugin<Ctx>({ maxComplexity: 150, maxListSize: 100 }),
    ],
    formatError: (formatted, error) => formatError(formatted, error, false),
  });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
});

function errorsOf(response: GraphQLResponse) {
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult.errors ?? [];
}

const run = (query: string, userId = 'alice', variables?: Record<string, unknown>) =>
  server.executeOperation({ query, variables }, { contextValue: { userId } });

describe('limits in Apollo Server', () => {
  it('answers a query within every limit', async () => {
    const response = await run('{ projects { name } }');
    expect(errorsOf(response)).toEqual([]);
  });

  it('refuses a deep query with 400 and BAD_USER_INPUT', async () => {
    const response = await run('{ studies { edges { node { series { instances { id } } } } } }');
    expect(response.http.status).toBe(400);
    expect(errorsOf(response)).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', details: { limit: 'QUERY_DEPTH', depth: 6, maxDepth: 4 } } }),
    ]);
  });

  it('refuses a costly query with real variables, and lets the same query through with a small page', async () => {
    const query = 'query($n: Int) { studies(first: $n) { nodes { id } } }';
    const big = await run(query, 'alice', { n: 80 });
    expect(big.http.status).toBe(400);
    expect(errorsOf(big)).toEqual([
      expect.objectContaining({
        extensions: { code: 'BAD_USER_INPUT', details: { limit: 'QUERY_COMPLEXITY', complexity: 161, maxComplexity: 150 } },
      }),
    ]);
    expect(errorsOf(await run(query, 'alice', { n: 5 }))).toEqual([]);
  });

  it('rate-limits mutations per user with 429 and Retry-After, never queries', async () => {
    const mutation = 'mutation { importStudies(dir: "x") }';
    expect(errorsOf(await run(mutation, 'carol'))).toEqual([]);
    expect(errorsOf(await run(mutation, 'carol'))).toEqual([]);
    const third = await run(mutation, 'carol');
    expect(third.http.status).toBe(429);
    const retryAfter = Number(third.http.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(errorsOf(third)).toEqual([
      expect.objectContaining({
        extensions: { code: 'RATE_LIMITED', details: { retryAfterSeconds: retryAfter, limitPerMinute: 2, fields: 1 } },
      }),
    ]);
    expect(errorsOf(await run('{ projects { name } }', 'carol'))).toEqual([]);
    expect(errorsOf(await run(mutation, 'dave'))).toEqual([]);
  });
});
