// `npm run bench -- <name> [<name> ...] [--no-write] [--json FILE]` and `npm run bench -- list`.
//
// A benchmark is a module bench/<name>.ts that exports `run(): Promise<BenchReport>` (bench/support/report.ts):
// a title, the machine (machineInfo() from bench/support/machine.ts), the ISO date the run started, markdown tables,
// and the raw numbers. A module exporting `bench<Name>()` instead (bench/jobs.ts: benchJobs) is taken as well.
// The runner prints the markdown and replaces the module's own `## <name>` section of BENCHMARKS.md, leaving every
// other section as it was. --no-write only prints; --json FILE also writes the raw numbers of every named run.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSection, replaceSection } from './support/benchmarks-file.js';
import { checkReport, entryPointOf, type BenchReport } from './support/report.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const BENCHMARKS_MD = resolve(BENCH_DIR, '..', 'BENCHMARKS.md');

/** Every bench/<name>.ts except the runner itself. */
function benchmarkNames(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

/** A mistake on the command line: reported as one line, without a stack. */
class UsageError extends Error {}

interface Args {
  readonly names: string[];
  readonly write: boolean;
  readonly json: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const names: string[] = [];
  let write = true;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-write') write = false;
    else if (a === '--json') {
      json = argv[++i];
      if (!json) throw new UsageError('--json needs a file name');
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (options: --no-write, --json FILE)`);
    else names.push(a);
  }
  return { names, write, json };
}

async function runOne(name: string): Promise<BenchReport> {
  const module = (await import(pathToFileURL(join(BENCH_DIR, `${name}.ts`)).href)) as Record<string, unknown>;
  return checkReport(name, await entryPointOf(name, module)());
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const known = benchmarkNames();
  if (args.names.length === 0 || args.names.includes('list')) {
    console.log(`benchmarks: ${known.join(', ')}\nusage: npm run bench -- <name> [<name> ...] [--no-write] [--json FILE]`);
    if (args.names.length === 0) process.exitCode = 1;
    return;
  }
  const unknown = args.names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new UsageError(`unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')}; the benchmarks are: ${known.join(', ')}`);

  const raw: Record<string, unknown> = {};
  for (const name of args.names) {
    console.log(`# bench ${name}`);
    const report = await runOne(name);
    const section = renderSection(name, report);
    console.log(`\n${section}`);
    raw[name] = { title: report.title, machine: report.machine, date: report.date, ...report.raw };
    if (args.write) {
      // Read just before writing: another benchmark may have rewritten its own section while this one ran.
      const doc = existsSync(BENCHMARKS_MD) ? await readFile(BENCHMARKS_MD, 'utf8') : '';
      await writeFile(BENCHMARKS_MD, replaceSection(doc, name, section));
      console.log(`BENCHMARKS.md: section "${name}" written`);
    }
  }
  if (args.json) await writeFile(args.json, `${JSON.stringify(raw, null, 2)}\n`);
}

main().then(
  // Pools, workers and sockets a benchmark forgot to close must not keep the process alive after it reported.
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    console.error(e instanceof UsageError ? `bench: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
