// A training run that fails registers nothing and leaves no files: the service against real PostgreSQL with a
// stand-in trainer (a shell script in place of the interpreter) that fails in the ways the real one can.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/domain/errors.js';
import { runTrainingJob, type TrainingProgress } from '../../src/services/training.service.js';
import { createCohort, type Cohort } from '../support/job-cohort.js';

let cohort: Cohort;
let dir: string;

beforeAll(async () => {
  cohort = await createCohort({ studies: 4 });
  dir = await mkdtemp(join(tmpdir(), 'sg-training-failure-'));
}, 300_000);
afterAll(async () => {
  await cohort?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fake interpreter: called as `python -m spinetrainer.train --request PATH`, it runs `body` with $4 = PATH. */
async function fakeTrainer(name: string, body: string): Promise<string> {
  const path = join(dir, `${name}.sh`);
  await writeFile(path, `#!/bin/sh\nREQ="$4"\nOUT=$(dirname "$REQ")/out\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function run(python: string, jobId: string) {
  const reports: TrainingProgress[] = [];
  const config = { dataDir: join(dir, 'data'), modelsDir: join(dir, 'models'), trainerPython: python };
  const outcome = await runTrainingJob(
    { db: cohort.db, config },
    { config: 'tiny', studyIds: cohort.studyIds, activate: true, name: `never-${jobId.slice(0, 4)}` },
    { jobId, signal: new AbortController().signal, report: async (u) => void reports.push(u) },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { outcome, reports, config };
}

describe('a failed training run', () => {
  const cases = [
    {
      name: 'exits 1 after partial outputs',
      jobId: '00000000-0000-4000-8000-000000000001',
      body: `mkdir -p "$OUT"; echo junk > "$OUT/keypoints-axial-fold0.onnx"
echo '{"event":"start","progress":0}'
echo '{"event":"error","code":"INTERNAL","message":"out of memory in fold 0"}'
exit 1`,
      code: 'TRAINING_FAILED',
      message: /out of memory in fold 0/,
    },
    {
      name: 'rejects the request (exit 2)',
      jobId: '00000000-0000-4000-8000-000000000002',
      body: `echo '{"event":"error","code":"BAD_TENSORS","message":"index.json: studies must be a non-empty list"}'
exit 2`,
      code: 'BAD_USER_INPUT',
      message: /studies must be a non-empty list/,
    },
    {
      name: 'says done without a run summary',
      jobId: '00000000-0000-4000-8000-000000000003',
      body: `mkdir -p "$OUT"; echo '{"event":"done","progress":1}'
exit 0`,
      code: 'TRAINING_FAILED',
      message: /run-summary\.json/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: fails the job with ${c.code}, registers nothing, removes its files`, async () => {
      const setsBefore = await cohort.db.prisma.modelSet.count();
      const { outcome, reports, config } = await run(await fakeTrainer(c.jobId, c.body), c.jobId);
      expect(isAppError(outcome)).toBe(true);
      expect(outcome).toMatchObject({ code: c.code, message: expect.stringMatching(c.message) });
      // It got as far as the trainer: the cohort was exported first.
      expect(reports.some((r) => r.stage === 'export' && /exported 4 of 4/.test(r.message))).toBe(true);
      expect(await cohort.db.prisma.modelSet.count()).toBe(setsBefore);
      expect(await cohort.db.prisma.modelVersion.count({ where: { producedByJobId: c.jobId } })).toBe(0);
      expect(existsSync(join(config.dataDir, 'training', c.jobId))).toBe(false);
      expect(existsSync(join(config.modelsDir, 'trained')) ? await readdir(join(config.modelsDir, 'trained')) : []).toEqual([]);
    }, 120_000);
  }

  it('refuses bad parameters before exporting anything', async () => {
    const e = await runTrainingJob(
      { db: cohort.db, config: { dataDir: join(dir, 'data'), modelsDir: join(dir, 'models'), trainerPython: '/bin/false' } },
      { config: 'gigantic', studyIds: cohort.studyIds },
      { jobId: '00000000-0000-4000-8000-000000000004', signal: new AbortController().signal, report: async () => undefined },
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/config/) });
  });
});
