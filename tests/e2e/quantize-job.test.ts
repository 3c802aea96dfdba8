// `models quantize` as a job: GraphQL quantizeModelSet -> Redis -> a worker on the quantize queue -> the same
// quantize service as the CLI (Python onnx rewrite, calibration on the caller's studies) -> a registered int8 set.
// Who may not call it (viewer, outsider, anonymous) and what bad input answers, then a real run with its progress.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModelSet } from '../../src/services/model-registry.service.js';
import { runWorker, type RunningWorker } from '../../src/worker.js';
import { writeConvModelSet } from '../fixtures/models/fixture-model-set.js';
import {
  errorCode,
  postGraphQL,
  queryData,
  recordSubscription,
  startSecurityStack,
  type SecurityStack,
} from '../support/security-fixture.js';
import { silentLogger } from '../support/silent-logger.js';

const PYTHON = '/usr/bin/python3';
const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasOnnx) console.warn(`quantize job test skipped: ${PYTHON} lacks onnx/numpy (apt-get install python3-onnx)`);

const MODELS = 6;
const QUANTIZE = `mutation($input: QuantizeModelSetInput!) { quantizeModelSet(input: $input) { id kind status params } }`;

interface Progress {
  jobProgress: { status: string; progress: number; stage: string | null; message: string | null };
}

describe.skipIf(!hasOnnx)('quantizeModelSet (GraphQL job)', () => {
  let stack: SecurityStack;
  let worker: RunningWorker;
  let work: string;
  let floatSetId: string;

  beforeAll(async () => {
    stack = await startSecurityStack({ cohorts: { a: 3, b: 2 } });
    work = await mkdtemp(join(tmpdir(), 'sg-quantize-job-'));
    // A small float set with real convolutions (the fixture set's models have nothing to quantize).
    await writeConvModelSet(join(work, 'float'), { keypointSize: 64, roiSize: 32, width: 4, depth: 2 });
    // Its foraminal and subarticular models are the same bytes (one model row cannot be two members): keep one.
    for (const f of ['classifier-subarticular-fold0.onnx', 'classifier-subarticular-fold0.manifest.json']) await rm(join(work, 'float', f));
    floatSetId = (await registerModelSet(stack.db, join(work, 'float'), { name: 'small-float' })).set.id;
    const config = { ...stack.config, dataDir: join(work, 'data'), modelsDir: join(work, 'models'), trainerPython: PYTHON };
    worker = await runWorker({ config, logger: silentLogger, queues: ['quantize'], concurrency: 1 });
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses a viewer (FORBIDDEN), an outsider to the project (NOT_FOUND) and an anonymous caller, and queues nothing', async () => {
    const before = await stack.db.prisma.job.count();
    const input = { modelSetId: floatSetId, name: 'refused-int8' };
    expect(errorCode(await postGraphQL(stack.url, QUANTIZE, { input }, stack.users.viewerA.headers))).toBe('FORBIDDEN');
    const outsider = await postGraphQL(
      stack.url,
      QUANTIZE,
      { input: { ...input, filter: { projectId: stack.projects.a.id } } },
      stack.users.researcherB.headers,
    );
    expect(errorCode(outsider)).toBe('NOT_FOUND');
    expect(errorCode(await postGraphQL(stack.url, QUANTIZE, { input }))).toBe('UNAUTHENTICATED');
    expect(await stack.db.prisma.job.count()).toBe(before);
  });

  it('answers bad input with actionable codes: bad name, taken name, unknown set, calibration count', async () => {
    const as = stack.users.researcherA.headers;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ modelSetId: floatSetId, name: 'has space' }, 'BAD_USER_INPUT', /letters, digits/],
      [{ modelSetId: floatSetId, name: 'small-float' }, 'CONFLICT', /already named "small-float"/],
      [{ modelSetId: 'no-such-set', name: 'x-int8' }, 'NOT_FOUND', /no-such-set/],
      [{ modelSetId: floatSetId, name: 'x-int8', calibrationStudies: 0 }, 'BAD_USER_INPUT', /calibrationStudies/],
    ];
    for (const [input, code, message] of cases) {
      const res = await postGraphQL(stack.url, QUANTIZE, { input }, as);
      expect(errorCode(res), res.text).toBe(code);
      expect(res.body.errors?.[0]?.message).toMatch(message);
    }
  });

  it("quantizes on the caller's studies, reports progress, registers an inactive int8 set whose manifests say so", async () => {
    const { quantizeModelSet: job } = await queryData<{
      quantizeModelSet: { id: string; kind: string; status: string; params: { modelSetId: string } };
    }>(
      stack.url,
      QUANTIZE,
      { input: { modelSetId: floatSetId, name: 'small-int8', calibrationStudies: 2 } },
      stack.users.researcherA.headers,
    );
    expect(job.kind).toBe('QUANTIZE');
    expect(job.params.modelSetId).toBe(floatSetId);
    const progress = recordSubscription<Progress>(
      stack.wsClient({ token: stack.users.researcherA.token }),
      'subscription($id: ID!) { jobProgress(jobId: $id) { status progress stage message } }',
      { id: job.id },
    );
    expect(await Promise.race([progress.done, new Promise((r) => setTimeout(() => r('timeout'), 240_000))])).toBe('complete');
    const row = await stack.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.errorMessage).toBeNull();
    expect(row.status).toBe('COMPLETED');

    // Progress: every stage seen, progress never going back, ending at 1.
    const events = progress.messages.map((m) => m.jobProgress);
    const stages = new Set(events.map((e) => e.stage));
    for (const s of ['prepare', 'calibrate', 'rewrite']) expect(stages, JSON.stringify(events)).toContain(s);
    for (let i = 1; i < events.length; i++) expect(events[i].progress).toBeGreaterThanOrEqual(events[i - 1].progress);
    expect(events.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 1 });

    // Calibrated on two studies of project A (the caller's), none of B's.
    const params = row.params as { studyIds: string[] };
    expect(params.studyIds).toHaveLength(2);
    for (const id of params.studyIds) expect(stack.projects.a.studyIds).toContain(id);

    const result = row.result as {
      modelSetId: string;
      name: string;
      sourceSet: string;
      calibrationStudies: number;
      directory: string;
      models: {
        model: string;
        quantizedLayers: Record<string, number>;
        check: { maxAbsDiff: number; floatOutputRange: number; samples: number };
      }[];
    };
    expect(result).toMatchObject({ name: 'small-int8', sourceSet: 'small-float', calibrationStudies: 2 });
    expect(result.models).toHaveLength(MODELS);
    for (const m of result.models) {
      expect(m.quantizedLayers.Conv, m.model).toBeGreaterThan(0);
      expect(m.check.samples, m.model).toBeGreaterThan(0);
      // Random-weight stacks: int8 stays within 10 % of the float output's range on the calibration inputs.
      expect(m.check.maxAbsDiff, m.model).toBeLessThanOrEqual(0.1 * m.check.floatOutputRange);
    }
    const set = await stack.db.prisma.modelSet.findUniqueOrThrow({ where: { id: result.modelSetId } });
    expect(set).toMatchObject({ name: 'small-int8', isActive: false });
    const manifests = (await readdir(result.directory)).filter((f) => f.endsWith('.manifest.json'));
    expect(manifests).toHaveLength(MODELS);
    for (const f of manifests) {
      const m = JSON.parse(await readFile(join(result.directory, f), 'utf8')) as {
        quantization?: { scheme: string; calibration: { studies: number } };
      };
      expect(m.quantization?.scheme, f).toMatch(/int8/i);
      expect(m.quantization?.calibration.studies, f).toBe(2);
    }
  }, 300_000);
});
