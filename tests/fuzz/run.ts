// `npm run fuzz -- --cases 10000 [--seed N] [--workers N] [--timeout-ms N] [--out DIR]`: the long fuzz run of the
// DICOM reader. Prints a summary (and a JSON report with --out, where each finding's mutant is saved as
// case-<n>.dcm to reproduce it). Exits 1 when there is any finding.

import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from './dicom-fuzz.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20' },
    workers: { type: 'string', default: String(Math.max(1, availableParallelism() - 1)) },
    'timeout-ms': { type: 'string', default: '20000' },
    out: { type: 'string' },
  },
});

const cases = Number(values.cases);
let lastShown = 0;
const report = await runFuzz({
  cases,
  seed: Number(values.seed),
  workers: Number(values.workers),
  timeoutMs: Number(values['timeout-ms']),
  onProgress: (done, total, sofar) => {
    if (done - lastShown >= Math.max(100, total / 50) || done === total) {
      lastShown = done;
      // One line per step, complete enough to report a run stopped before its end.
      console.error(`fuzz: ${done}/${total} ${JSON.stringify(sofar)}`);
    }
  },
});

const summary = {
  cases: report.cases,
  seed: report.seed,
  decoded: report.decoded,
  refused: report.refused,
  findings: report.counts,
  slowestMs: Math.round(report.slowestMs),
  durationS: Math.round(report.durationMs / 1000),
  perSeed: report.perSeed,
};
console.log(JSON.stringify(summary, null, 2));
for (const f of report.findings) console.log(`case ${f.case} ${f.kind} (${f.seed}, ${f.mutation}): ${f.detail}`);

if (values.out) {
  await mkdir(values.out, { recursive: true });
  for (const f of report.findings) await writeFile(join(values.out, `case-${f.case}.dcm`), f.bytes);
  const findings = report.findings.map(({ bytes: _bytes, ...rest }) => rest);
  await writeFile(join(values.out, 'report.json'), JSON.stringify({ ...summary, findings }, null, 2));
}
process.exitCode = report.findings.length ? 1 : 0;
