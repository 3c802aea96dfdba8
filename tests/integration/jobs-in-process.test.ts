// In-process mode (no Redis): jobs started over GraphQL run inside the API process through the same Job rows,
// handlers and subscription events as with BullMQ workers; cancel works; a restart resumes what was left queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server.js';
import { cancelJobMutation, record, startCohortInference, wsClient } from '../support/job-api.js';
import {
  childRows,
  createCohort,
  jobRow,
  predictionCounts,
  PREDICTIONS_PER_STUDY,
  waitFor,
  waitForTerminal,
  type Cohort,
} from '../support/job-cohort.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';

let cohort: Cohort;
let api: RunningServer | undefined;

const start = (): Promise<RunningServer> =>
  serve({
    // JOB_MODE named explicitly: PostgreSQL here (the embedded default picks in-process by itself, see config tests).
    config: testConfig({ DATABASE_URL: cohort.tdb.url, JOB_MODE: 'in-process', MUTATION_RATE_LIMIT_PER_MINUTE: '100000' }),
    logger: silentLogger,
    db: cohort.db,
    port: 0,
  });

beforeAll(async () => {
  cohort = await createCohort({ studies: 4 });
  api = await start();
});

afterAll(async () => {
  await api?.stop();
  await cohort?.close();
});

interface ProgressEvent {
  status: string;
  progress: number;
}

describe('jobs in the API process', () => {
  it('says so in /readyz, with no Redis check', async () => {
    const ready = (await (await fetch(api!.api.url.replace(/graphql$/, 'readyz'))).json()) as { jobs: string; checks: { name: string }[] };
    expect(ready.jobs).toBe('in-process');
    expect(ready.checks.map((c) => c.name)).toEqual(['database']);
    expect(api!.jobMode).toBe('in-process');
  });

  it('runs a cohort inference to completion with live progress over graphql-ws', async () => {
    const client = wsClient(api!);
    const parentId = await startCohortInference(api!, cohort.studyIds.slice(0, 2));
    const events = record<ProgressEvent>(
      client,
      'subscription($id: ID!) { jobProgress(jobId: $id) { status progress } }',
      { id: parentId },
      (d) => d.jobProgress as ProgressEvent,
    );
    await events.done;
    await client.dispose();
    const seen = events.events.map((e) => e.data);
    expect(seen.at(-1)).toEqual({ status: 'COMPLETED', progress: 1 });
    expect(seen.map((e) => e.status)).toContain('RUNNING');
    expect(seen.some((e) => e.progress > 0 && e.progress < 1)).toBe(true);
    expect(seen.every((e, i) => i === 0 || e.progress >= seen[i - 1].progress)).toBe(true);

    const parent = await jobRow(cohort.db, parentId);
    expect(parent).toMatchObject({ status: 'COMPLETED', result: { studies: 2, completed: 2, failed: [] } });
    // The cohort's start is its first child's start, not its last one's (the dashboard's "Time").
    const children = await childRows(cohort.db, parentId);
    // Set as the first child starts (a few database writes later), so before any child has finished.
    expect(parent.startedAt!.getTime()).toBeLessThanOrEqual(Math.min(...children.map((c) => c.finishedAt!.getTime())));
    const counts = await predictionCounts(cohort.db, cohort.modelSetId, cohort.studyIds.slice(0, 2));
    expect(Object.values(counts)).toEqual([PREDICTIONS_PER_STUDY, PREDICTIONS_PER_STUDY]);
  });

  it('cancels a running cohort: the running child aborted, the rest never started', async () => {
    const parentId = await startCohortInference(api!, cohort.studyIds);
    await waitFor('a running child', async () => (await childRows(cohort.db, parentId)).find((c) => c.status === 'RUNNING'), 60_000, 5);
    const res = await cancelJobMutation(api!, parentId);
    expect(res.errors).toBeUndefined();
    expect(res.data?.cancelJob.status).toBe('CANCELLED');
    const settled = await waitFor(
      'every child to settle',
      async () => {
        const rows = await childRows(cohort.db, parentId);
        return rows.every((r) => ['COMPLETED', 'CANCELLED', 'FAILED'].includes(r.status)) ? rows : undefined;
      },
      60_000,
    );
    expect(settled.filter((c) => c.status === 'CANCELLED').length).toBeGreaterThanOrEqual(cohort.studyIds.length - 1);
    expect(settled.filter((c) => c.startedAt === null).every((c) => c.status === 'CANCELLED')).toBe(true);
    expect((await jobRow(cohort.db, parentId)).status).toBe('CANCELLED');
  });

  it('resumes jobs left queued when the process stopped', async () => {
    const parentId = await startCohortInference(api!, cohort.studyIds.slice(2));
    await api!.stop(); // waits for the running child; the rest stay QUEUED in the database
    api = undefined;
    const left = await childRows(cohort.db, parentId);
    expect(left.some((c) => c.status === 'QUEUED') || (await jobRow(cohort.db, parentId)).status !== 'COMPLETED').toBe(true);
    api = await start();
    const parent = await waitForTerminal(cohort.db, parentId, 90_000);
    expect(parent).toMatchObject({ status: 'COMPLETED', result: { studies: 2, completed: 2 } });
  });
});
