// The benchmark runner's plumbing: BENCHMARKS.md sections replaced one at a time, entry points found, reports
// checked, percentiles and /proc CPU parsing right, and a clear error for an unknown benchmark.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS_PREAMBLE, renderSection, replaceSection, sectionNames } from '../../../bench/support/benchmarks-file.js';
import { machineInfo } from '../../../bench/support/machine.js';
import { processCpuMs } from '../../../bench/support/pg-cpu.js';
import { checkReport, entryPointOf, type BenchReport } from '../../../bench/support/report.js';
import { spreadSample } from '../../../bench/support/cohort-decode.js';
import { percentile, summarise } from '../../../bench/support/stats.js';

const DOC = [
  '# Benchmarks',
  '',
  'intro',
  '',
  '## ingest',
  '',
  'old ingest',
  '',
  '## jobs',
  '',
  '```',
  '## not a heading inside a fence',
  '```',
  'jobs body',
  '',
  '## api',
  '',
  'old api',
  '',
].join('\n');

describe('replaceSection', () => {
  it('replaces only the named section and keeps every other byte', () => {
    const out = replaceSection(DOC, 'jobs', '## jobs\n\nnew jobs\n');
    expect(out).toBe(DOC.replace('```\n## not a heading inside a fence\n```\njobs body', 'new jobs'));
    expect(sectionNames(out)).toEqual(['ingest', 'jobs', 'api']);
  });

  it('replaces the last section up to the end of the file', () => {
    const out = replaceSection(DOC, 'api', '## api\n\nnew api');
    expect(out.endsWith('## api\n\nnew api\n')).toBe(true);
    expect(out).toContain('old ingest');
    expect(out).not.toContain('old api');
  });

  it('appends a new section, and starts an empty file with the preamble', () => {
    expect(sectionNames(replaceSection(DOC, 'inference', '## inference\n\nx'))).toEqual(['ingest', 'jobs', 'api', 'inference']);
    const fresh = replaceSection('', 'api', '## api\n\nx');
    expect(fresh.startsWith(BENCHMARKS_PREAMBLE)).toBe(true);
    expect(sectionNames(fresh)).toEqual(['api']);
  });

  it('does not take a heading inside a code fence for a section', () => {
    expect(sectionNames(DOC)).toEqual(['ingest', 'jobs', 'api']);
    expect(replaceSection(DOC, 'not a heading inside a fence', '## x')).toContain('## not a heading inside a fence');
  });

  it('is idempotent: writing the same section twice gives the same file', () => {
    const report: BenchReport = {
      title: 'T',
      machine: machineInfo(),
      date: '2026-01-01T00:00:00.000Z',
      markdown: '| a |\n|---|\n| 1 |',
      raw: {},
    };
    const once = replaceSection(DOC, 'ingest', renderSection('ingest', report));
    expect(replaceSection(once, 'ingest', renderSection('ingest', report))).toBe(once);
    expect(once).toContain('Date: 2026-01-01T00:00:00.000Z');
  });
});

describe('entryPointOf and checkReport', () => {
  const run = async (): Promise<BenchReport> => ({ title: 't', machine: machineInfo(), date: 'd', markdown: 'm', raw: {} });

  it('takes run(), or bench<Name>() from modules written before the convention', () => {
    expect(entryPointOf('api', { run })).toBe(run);
    expect(entryPointOf('jobs', { benchJobs: run })).toBe(run);
  });

  it('names what a module exports when it has no entry point', () => {
    expect(() => entryPointOf('jobs', { helper: 1 })).toThrow(/neither run\(\) nor benchJobs\(\).*helper/);
  });

  it('rejects a report that lacks fields', () => {
    expect(() => checkReport('x', { title: 't', markdown: 'm' })).toThrow(/without machine, date, raw/);
  });
});

describe('stats', () => {
  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(summarise([1, 2, 3, 10])).toMatchObject({ n: 4, p50: 2, min: 1, max: 10, mean: 4 });
  });

  it('spreads a sample over the whole list', () => {
    expect(spreadSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(spreadSample([1, 2], 5)).toEqual([1, 2]);
  });
});

describe('processCpuMs', () => {
  it('reads a live process (this one) and grows with work', () => {
    const before = processCpuMs(process.pid);
    const end = Date.now() + 80;
    while (Date.now() < end); // burn CPU
    expect(processCpuMs(process.pid)).toBeGreaterThan(before);
  });

  it('is 0 for a process that does not exist', () => {
    expect(processCpuMs(2 ** 30)).toBe(0);
  });
});

describe('bench/run.ts', () => {
  it('refuses an unknown name and lists the benchmarks', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'no-such-bench'], { cwd: process.cwd() });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/unknown benchmark "no-such-bench"; the benchmarks are: .*api.*ingest/),
    });
  });
});
