// A database that does not answer is SERVICE_UNAVAILABLE (try again), never "not found" or an internal error:
// the API runs against a PostgreSQL address where nothing listens (a real refused connection, not a made-up error),
// and every kind of read reports the outage: Prisma reads (job, modelSets), SQL reads and audited queries.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../src/api/errors.js';
import { isDatabaseUnavailable } from '../../src/db/database-errors.js';
import { serve, type RunningServer } from '../../src/server.js';
import { gql } from '../support/graphql-client.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { TEST_REDIS_URL } from '../support/test-redis.js';

/** A local port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let db: Database;
let server: RunningServer;
const ID = '0b7a9a50-1c7e-4b1e-9f51-6a3c1d2e3f40';

beforeAll(async () => {
  const url = `postgresql://spinegraph@127.0.0.1:${await closedPort()}/nothing`;
  db = await openDatabase({ kind: 'postgres', url });
  // Queue mode (jobs on Redis): the in-process runner would read the database before the server answers anything.
  const config = testConfig({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `sg-outage-${process.pid}` });
  server = await serve({ config, logger: silentLogger, db, port: 0 });
});

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

describe('with the database away', () => {
  it.each([
    ['job (Prisma)', `{ job(id: "${ID}") { id } }`],
    ['study (SQL)', `{ study(id: "${ID}") { id } }`],
    ['studies', '{ studies(first: 1) { edges { cursor } } }'],
    ['modelSets', '{ modelSets { id } }'],
    ['cohortSummary', '{ cohortSummary { studyCount } }'],
  ])('%s answers SERVICE_UNAVAILABLE', async (_name, query) => {
    const res = await gql(server.api.url, query);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(res.errors?.[0].message).toBe(DATABASE_UNAVAILABLE_MESSAGE);
  });

  it('a malformed id is still plain "not there" without asking the database', async () => {
    const res = await gql<{ job: null }>(server.api.url, '{ job(id: "not-a-uuid") { id } }');
    expect(res.errors).toBeUndefined();
    expect(res.data?.job).toBeNull();
  });

  it('recognises the driver error itself, and not an ordinary query error', async () => {
    const refused = await db.sql.query('SELECT 1').catch((e: unknown) => e);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Study 1 was not found'))).toBe(false);
  });
});
