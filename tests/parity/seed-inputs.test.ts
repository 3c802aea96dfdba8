// Every tensor of every role against the seed's own datasets (tests/parity/seed_inputs.py): synthetic cohorts from
// 4 generator seeds (256 and 512 px sources, multi-stack axial series, random odd pixel spacings, non-square pixels
// in one study of two cohorts), with missing series and label points next to the image edge; `spinegraph synth`, `import` and `export model-inputs` run as a
// user runs them (child processes, embedded database), at 512/128 and 512/224, with label and predicted
// coordinates (the bundled demo set's keypoints). Same slices everywhere, max abs difference <= 1e-4.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve('bin/spinegraph.js');
const PYTHON = '/usr/bin/python3';

interface CohortPlan {
  readonly seed: number;
  readonly size: number;
  readonly studies: number;
  readonly edits: readonly string[];
}

const COHORTS: readonly CohortPlan[] = [
  { seed: 11, size: 256, studies: 3, edits: ['--drop-series', '0', 'Sagittal T1', '--edge-labels', '1', '--anisotropic-spacing', '2'] },
  { seed: 12, size: 512, studies: 2, edits: ['--drop-series', '1', 'Axial T2', '--edge-labels', '0'] },
  { seed: 13, size: 256, studies: 2, edits: ['--drop-series', '1', 'Sagittal T2/STIR', '--edge-labels', '0'] },
  { seed: 14, size: 512, studies: 2, edits: ['--edge-labels', '1', '--anisotropic-spacing', '0'] },
];

interface Report {
  coordinates: string;
  keypointSize: number;
  roiSize: number;
  maxAbsDiff: Record<string, number>;
  samples: Record<string, number>;
  failures: string[];
  failureCount: number;
}

let work: string;
const reports: (Report & { cohort: number })[] = [];

async function cli(args: string[], dataDir: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATA_DIR: dataDir },
    maxBuffer: 1 << 26,
    timeout: 1_500_000,
  });
  return stdout;
}

async function compare(cohort: string, out: string, coordinates: string, k: number, r: number): Promise<Report> {
  try {
    const { stdout } = await run(
      PYTHON,
      ['tests/parity/seed_inputs.py', cohort, out, '--keypoint-size', String(k), '--roi-size', String(r), '--coordinates', coordinates],
      { maxBuffer: 1 << 26, timeout: 1_500_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Report;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    const last = err.stdout?.trim().split('\n').pop();
    if (last?.startsWith('{')) return JSON.parse(last) as Report;
    throw new Error(`seed_inputs.py failed: ${err.stderr ?? String(e)}`);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sg-parity-'));
});
afterAll(async () => {
  console.log(JSON.stringify(reports, null, 1));
  if (work) await rm(work, { recursive: true, force: true });
});

describe("model inputs equal the seed's datasets", () => {
  for (const [i, plan] of COHORTS.entries()) {
    it(`cohort ${i}: seed ${plan.seed}, ${plan.size} px sources, ${plan.studies} studies, ${plan.edits.join(' ')}`, async () => {
      const dir = join(work, `cohort-${i}`);
      const data = join(work, `data-${i}`);
      await cli(['synth', '--out', dir, '--studies', String(plan.studies), '--seed', String(plan.seed), '--size', String(plan.size)], data);
      await run(PYTHON, ['tests/parity/edit_cohort.py', dir, ...plan.edits]);
      await cli(['import', dir], data);
      const exports: [string, number, number][] = [
        ['labels', 512, 128],
        ['predicted', 512, 128],
      ];
      if (i === 0) exports.push(['labels', 512, 224]);
      for (const [coordinates, k, r] of exports) {
        const out = join(work, `out-${i}-${coordinates}-${r}`);
        await cli(
          ['export', 'model-inputs', '--out', out, '--coordinates', coordinates, '--keypoint-size', String(k), '--roi-size', String(r)],
          data,
        );
        const report = await compare(dir, out, coordinates, k, r);
        reports.push({ ...report, cohort: i });
        expect(report.failures).toEqual([]);
        for (const role of ['keypoints-sagittal-t2', 'keypoints-sagittal-t1', 'keypoints-axial', 'classifier-spinal', 'classifier-global'])
          expect(report.samples[role] ?? 0).toBeGreaterThan(0);
        for (const d of Object.values(report.maxAbsDiff)) expect(d).toBeLessThanOrEqual(1e-4);
      }
    });
  }
});
