// Issue 20: seeded fuzzing of the DICOM reader in the suite. A few hundred mutants of real files in eleven transfer
// syntaxes, each decoded in a child process with a watchdog (tests/fuzz/dicom-fuzz.ts); `npm run fuzz -- --cases
// 10000` is the long run (docs/fuzzing.md).

import { describe, expect, it } from 'vitest';
import { opaqueReason, runFuzz, type FuzzReport } from '../fuzz/dicom-fuzz.js';
import { loadSeeds } from '../fuzz/seeds.js';

const CASES = 220; // 20 per seed

describe('fuzzing the DICOM reader', () => {
  let report: FuzzReport;

  it(`${CASES} seeded mutants: no crash, no hang, no opaque message, no stale output`, async () => {
    report = await runFuzz({ cases: CASES, seed: 20, workers: 2, timeoutMs: 20_000 });
    const findings = report.findings.map((f) => `case ${f.case} ${f.kind} (${f.seed}, ${f.mutation}): ${f.detail}`);
    expect(findings).toEqual([]);
    expect(report.counts).toEqual({ crash: 0, hang: 0, opaque: 0, stale: 0 });
  }, 240_000);

  it('really exercised every seed: some mutants decode, some are refused', () => {
    expect(Object.keys(report.perSeed)).toHaveLength(loadSeeds().length);
    for (const [seed, tally] of Object.entries(report.perSeed)) {
      expect(tally.cases, seed).toBe(CASES / loadSeeds().length);
      expect(tally.decoded + tally.refused, seed).toBe(tally.cases);
    }
    expect(report.decoded).toBeGreaterThan(CASES / 10);
    expect(report.refused.INVALID_DICOM).toBeGreaterThan(CASES / 10);
  });

  it('would flag what issue 20 found: heap addresses, raw TypeErrors, stack overflows, non-AppErrors', () => {
    const refused = (message: string, code = 'INVALID_DICOM') => ({ kind: 'refused', code, message }) as const;
    expect(opaqueReason(refused('mutant.dcm: cannot decode frame 0: JPEG Baseline (Process 1) decoder failed: 132216'))).toBeDefined();
    expect(
      opaqueReason(refused("mutant.dcm: not a readable DICOM file: TypeError: Cannot read properties of undefined (reading 'x')")),
    ).toBeDefined();
    expect(opaqueReason(refused('mutant.dcm: not a readable DICOM file: Maximum call stack size exceeded'))).toBeDefined();
    expect(opaqueReason({ kind: 'thrown', message: 'RangeError: offset is out of bounds' })).toBeDefined();
    expect(opaqueReason(refused('cannot decode frame 0: no file named'))).toBeDefined();
    expect(opaqueReason(refused('mutant.dcm: cannot decode frame 0: the JPEG-LS Lossless stream is truncated'))).toBeUndefined();
  });
});
