import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server.js';
import { gql, gqlData } from '../support/graphql-client.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { uniquePrefix } from '../support/test-redis.js';

let tdb: TestDatabase;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const project = await tdb.db.prisma.project.create({ data: { name: 'spine-cohort' } });
  for (const externalId of ['1001', '1002', '1003']) {
    const study = await tdb.db.prisma.study.create({ data: { projectId: project.id, externalId } });
    await tdb.db.prisma.series.create({
      data: { studyId: study.id, externalId: `${externalId}1`, type: 'SAGITTAL_T2_STIR', pixelSpacing: [0.7, 0.7], instanceCount: 17 },
    });
  }
  server = await serve({
    config: testConfig({ DATABASE_URL: tdb.url, QUEUE_PREFIX: uniquePrefix() }),
    logger: silentLogger,
    db: tdb.db,
    port: 0,
  });
  base = server.api.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await server?.stop();
  await tdb?.drop();
});

describe('API process', () => {
  it('answers version', async () => {
    const data = await gqlData<{ version: string }>(server.api.url, '{ version }');
    expect(data.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('pages through studies from the database with a total count', async () => {
    const query = `query($after: String) { studies(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { externalId project { name } series { type instanceCount } } } } }`;
    type Page = {
      studies: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { externalId: string; project: { name: string }; series: { type: string; instanceCount: number }[] } }[];
      };
    };
    const first = await gqlData<Page>(server.api.url, query);
    expect(first.studies.totalCount).toBe(3);
    expect(first.studies.pageInfo.hasNextPage).toBe(true);
    expect(first.studies.edges.map((e) => e.node.externalId)).toEqual(['1001', '1002']);
    expect(first.studies.edges[0].node.series).toEqual([{ type: 'SAGITTAL_T2_STIR', instanceCount: 17 }]);
    expect(first.studies.edges[0].node.project.name).toBe('spine-cohort');
    const second = await gqlData<Page>(server.api.url, query, { after: first.studies.pageInfo.endCursor });
    expect(second.studies.edges.map((e) => e.node.externalId)).toEqual(['1003']);
    expect(second.studies.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects a bad cursor and an oversized page with BAD_USER_INPUT', async () => {
    const bad = await gql(server.api.url, '{ studies(after: "garbage") { totalCount } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const big = await gql(server.api.url, '{ studies(first: 100000) { totalCount } }');
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(big.errors?.[0].message).toMatch(/at most 500/);
  });

  it('reports liveness and readiness of database and Redis', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(ready.status).toBe(200);
    expect(body.checks.map((c) => c.name).sort()).toEqual(['database', 'redis']);
  });

  it('says which dependency is down', async () => {
    const broken = await serve({
      config: testConfig({ DATABASE_URL: tdb.url, REDIS_URL: 'redis://127.0.0.1:1' }),
      logger: silentLogger,
      db: tdb.db,
      port: 0,
    });
    try {
      const res = await fetch(broken.api.url.replace(/\/graphql$/, '/readyz'));
      const body = (await res.json()) as { failed: string[] };
      expect(res.status).toBe(503);
      expect(body.failed).toEqual(['redis']);
    } finally {
      await broken.stop();
    }
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
