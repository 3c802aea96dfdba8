// Issue 20 item 7: the job runner used to turn any database error while reading a job's row into "no record" and
// fail the job for good. Now only a row the database says is absent is missing; an outage makes the attempt wait and,
// past its limit, fail as a retryable SERVICE_UNAVAILABLE, never as a missing row.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobAttempt, type AnyJobHandler, type JobAttempt } from '../../src/queue/job-runner.js';
import { JobStore } from '../../src/services/job-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { silentLogger } from '../support/silent-logger.js';

let t: TestDatabase;
let store: JobStore;
let handlerRuns = 0;

const handler = {
  kind: 'IMPORT',
  run: async () => {
    handlerRuns++;
    return null;
  },
} as unknown as AnyJobHandler;

const attempt = (jobId: string, maxDatabaseWaitMs?: number): JobAttempt => ({
  jobId,
  kind: 'IMPORT',
  role: 'single',
  attempt: 1,
  maxAttempts: 3,
  signal: new AbortController().signal,
  childOutcomes: async () => ({ completed: new Map(), failed: new Map() }),
  maxDatabaseWaitMs,
});

beforeAll(async () => {
  t = await createTestDatabase();
  store = new JobStore(t.db, { progress: () => undefined, statusChanged: () => undefined });
});

afterAll(async () => {
  await t?.drop();
});

describe('a job whose row cannot be read', () => {
  it('is missing when the database answers that no such row exists', async () => {
    expect(await executeJobAttempt(store, handler, silentLogger, attempt(randomUUID()))).toEqual({ kind: 'missing' });
    expect(handlerRuns).toBe(0);
  });

  it('is not missing while the database is down: the attempt waits, then gives up as SERVICE_UNAVAILABLE (retryable)', async () => {
    let reads = 0;
    const down = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const outage = Object.create(store) as JobStore;
    outage.get = async () => {
      reads++;
      throw down;
    };
    const outcome = executeJobAttempt(outage, handler, silentLogger, attempt(randomUUID(), 600));
    await expect(outcome).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(reads).toBeGreaterThan(1);
    expect(handlerRuns).toBe(0);
  });
});
