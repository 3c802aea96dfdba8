// What every benchmark module hands the runner, and how the runner finds a module's entry point.
import type { MachineInfo } from './machine.js';

export interface BenchReport {
  readonly title: string;
  readonly machine: MachineInfo;
  /** ISO 8601, when the run started. */
  readonly date: string;
  /** Tables and notes for BENCHMARKS.md, without the `## name` heading (the runner writes it). */
  readonly markdown: string;
  /** Every measured number, for anyone who wants more than the tables. */
  readonly raw: Record<string, unknown>;
}

export type RunBench = () => Promise<BenchReport>;

/**
 * A benchmark module exports `run()`. Modules written before this convention may export `bench<Name>()` instead
 * (bench/jobs.ts: `benchJobs`); the runner takes that as the entry point too, so no module needs a wrapper file.
 */
export function entryPointOf(name: string, module: Record<string, unknown>): RunBench {
  const legacy = `bench${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  const candidate = module.run ?? module[legacy];
  if (typeof candidate !== 'function') {
    throw new Error(`bench/${name}.ts exports neither run() nor ${legacy}(); it exports: ${Object.keys(module).join(', ') || 'nothing'}`);
  }
  return candidate as RunBench;
}

/** Rejects a report that would write a malformed section, naming what is missing. */
export function checkReport(name: string, report: unknown): BenchReport {
  const r = report as Partial<BenchReport> | null;
  const missing = (['title', 'machine', 'date', 'markdown', 'raw'] as const).filter((k) => r?.[k] === undefined || r?.[k] === null);
  if (missing.length > 0) throw new Error(`bench/${name}.ts returned a report without ${missing.join(', ')}`);
  return r as BenchReport;
}
