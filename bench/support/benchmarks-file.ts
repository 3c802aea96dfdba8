// BENCHMARKS.md holds one `## <name>` section per benchmark. A run replaces its own section and keeps the others
// (and the preamble before the first section) byte for byte, so benchmarks owned by different people coexist.
import { describeMachine } from './machine.js';
import type { BenchReport } from './report.js';

export const BENCHMARKS_PREAMBLE = `# Benchmarks

Measured with \`npm run bench -- <name>\` (\`npm run bench -- list\` names them). Each run replaces its own section below
and leaves the others alone. Benchmarks measure; correctness is the tests' job. The machines are shared: the load average
recorded with each run says how much else was running.
`;

const HEADING = /^## (.+?)\s*$/;

/** The section a run writes: heading, what ran where and when, then the benchmark's own markdown. */
export function renderSection(name: string, report: BenchReport): string {
  return [
    `## ${name}`,
    '',
    `**${report.title}**`,
    '',
    `Machine: ${describeMachine(report.machine)}. Date: ${report.date}.`,
    '',
    report.markdown.trim(),
    '',
  ].join('\n');
}

/** Replaces the `## name` section of `doc` (up to the next `## ` heading) with `section`, or appends it. */
export function replaceSection(doc: string, name: string, section: string): string {
  const lines = (doc.trim() === '' ? BENCHMARKS_PREAMBLE : doc).split('\n');
  const headings = headingsOf(lines);
  const at = headings.findIndex((h) => h.name === name);
  const body = section.trimEnd().split('\n');
  if (at < 0) {
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return [...lines, '', ...body, ''].join('\n');
  }
  const end = headings[at + 1]?.line ?? lines.length;
  const after = lines.slice(end);
  return [...lines.slice(0, headings[at].line), ...body, ...(after.length > 0 ? ['', ...after] : [''])].join('\n');
}

/** Names of the sections present, in file order. */
export function sectionNames(doc: string): string[] {
  return headingsOf(doc.split('\n')).map((h) => h.name);
}

/** `## ` headings outside fenced code blocks (a query plan or a shell transcript may hold a line starting `## `). */
function headingsOf(lines: readonly string[]): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  let fenced = false;
  lines.forEach((l, line) => {
    if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
    const m = fenced ? null : HEADING.exec(l);
    if (m) found.push({ name: m[1], line });
  });
  return found;
}
