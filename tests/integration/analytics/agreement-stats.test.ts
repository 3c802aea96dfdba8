// Integration, not unit: it spawns Python (scikit-learn) for the reference values.
// The agreement statistics against scikit-learn 1.2 (Debian python3-sklearn) and numpy, to 1e-9, on random data
// and on the edge cases that make statistics undefined: a class absent, all rows one class, ties, scores on the
// bin edges. A statistic sklearn cannot define (nan, ValueError, zero division) must be null here with a reason.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { agreementStats, type AgreementStats, type SeverityRows } from '../../../src/services/analytics/agreement-stats.js';
import type { BinaryMetrics } from '../../../src/services/analytics/binary-metrics.js';
import { mulberry32 } from '../../../src/services/analytics/prng.js';
import type { Statistic } from '../../../src/services/analytics/statistic.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sklearn_reference.py');
const TOL = 1e-9;

interface Dataset {
  readonly name: string;
  readonly labels: number[];
  readonly p: [number, number, number][];
}

interface RefBinary {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
}
interface Reference {
  confusion: number[][];
  kappa: number | null;
  severe: RefBinary;
  moderateOrWorse: RefBinary;
  auc: number | null;
  ece: number;
  reliability: { observed: number[]; meanPredicted: number[] }[];
}

const rng = mulberry32(20261203);
const uniform = (): number => rng() / 4294967296;

/** Probabilities leaning towards `lead` with strength `s`, summing to 1. */
function probs(lead: number, s: number): [number, number, number] {
  const raw = [uniform(), uniform(), uniform()];
  raw[lead] += s;
  const sum = raw[0] + raw[1] + raw[2];
  return [raw[0] / sum, raw[1] / sum, raw[2] / sum];
}

function randomDataset(name: string, n: number, classes: number[], agreement: number): Dataset {
  const labels: number[] = [];
  const p: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const y = classes[Math.floor(uniform() * classes.length)];
    labels.push(y);
    p.push(probs(uniform() < agreement ? y : Math.floor(uniform() * 3), 1.5 * uniform()));
  }
  return { name, labels, p };
}

/** Probabilities on a 0.1 grid: many tied scores, many exactly on a bin edge. */
function tiedDataset(n: number): Dataset {
  const labels: number[] = [];
  const p: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(uniform() * 11);
    const b = Math.floor(uniform() * (11 - a));
    labels.push(Math.floor(uniform() * 3));
    p.push([a / 10, b / 10, (10 - a - b) / 10]);
  }
  return { name: 'ties on a 0.1 grid', labels, p };
}

const DATASETS: Dataset[] = [
  randomDataset('random, 3 classes', 600, [0, 0, 0, 1, 1, 2], 0.6),
  randomDataset('random, small', 7, [0, 1, 2], 0.5),
  randomDataset('severe absent from the labels', 200, [0, 1], 0.6),
  { name: 'all rows one class, predicted so', labels: Array(20).fill(0), p: Array.from({ length: 20 }, () => probs(0, 5)) },
  { name: 'all rows severe', labels: Array(15).fill(2), p: Array.from({ length: 15 }, () => probs(Math.floor(uniform() * 3), 1)) },
  tiedDataset(400),
  {
    name: 'never predicted severe',
    labels: [0, 1, 2, 2, 0, 1],
    p: [
      [0.6, 0.3, 0.1],
      [0.3, 0.6, 0.1],
      [0.2, 0.5, 0.3],
      [0.5, 0.2, 0.3],
      [0.9, 0.05, 0.05],
      [0.4, 0.4, 0.2],
    ],
  },
];

function reference(datasets: readonly Dataset[]): Reference[] {
  const out = execFileSync('/usr/bin/python3', [SCRIPT], { input: JSON.stringify(datasets), encoding: 'utf8' });
  return JSON.parse(out) as Reference[];
}

function rowsOf(d: Dataset): SeverityRows {
  return {
    labels: Uint8Array.from(d.labels),
    p0: Float64Array.from(d.p.map((r) => r[0])),
    p1: Float64Array.from(d.p.map((r) => r[1])),
    p2: Float64Array.from(d.p.map((r) => r[2])),
  };
}

function expectStatistic(actual: Statistic, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual.value, what).toBeNull();
    expect(actual.reason, what).toMatch(/\w/);
  } else {
    expect(actual.reason, what).toBeNull();
    expect(Math.abs((actual.value ?? NaN) - expected), `${what}: ${actual.value} vs ${expected}`).toBeLessThanOrEqual(TOL);
  }
}

function expectBinary(actual: BinaryMetrics, expected: RefBinary, what: string): void {
  expect([actual.truePositives, actual.falsePositives, actual.trueNegatives, actual.falseNegatives], what).toEqual([
    expected.tp,
    expected.fp,
    expected.tn,
    expected.fn,
  ]);
  for (const k of ['sensitivity', 'specificity', 'ppv', 'npv'] as const) expectStatistic(actual[k], expected[k], `${what} ${k}`);
}

describe('agreement statistics against scikit-learn', () => {
  const refs = reference(DATASETS);
  DATASETS.forEach((d, i) => {
    it(d.name, () => {
      const ref = refs[i];
      const s: AgreementStats = agreementStats(rowsOf(d));
      expect(s.rows).toBe(d.labels.length);
      expect(s.confusion).toEqual(ref.confusion);
      expectStatistic(s.kappa, ref.kappa, 'kappa');
      expectBinary(s.severe, ref.severe, 'severe');
      expectBinary(s.moderateOrWorse, ref.moderateOrWorse, 'moderate or worse');
      expectStatistic(s.severeAuc, ref.auc, 'AUC');
      expectStatistic(s.ece, ref.ece, 'ECE');
      for (let k = 0; k < 3; k++) {
        const bins = s.reliability[k];
        expect(bins.length, `class ${k} bins`).toBe(ref.reliability[k].observed.length);
        bins.forEach((b, j) => {
          expect(Math.abs(b.observed - ref.reliability[k].observed[j])).toBeLessThanOrEqual(TOL);
          expect(Math.abs(b.meanPredicted - ref.reliability[k].meanPredicted[j])).toBeLessThanOrEqual(TOL);
        });
      }
    });
  });

  it('the edge cases really are edge cases (the fixture, not the code, under test)', () => {
    expect(refs[2].auc).toBeNull();
    expect(refs[3].kappa).toBeNull();
    expect(refs[4].severe.specificity).toBeNull();
    expect(refs[6].severe.ppv).toBeNull();
    expect(refs[0].kappa).not.toBeNull();
  });

  it('an empty group is null everywhere, with reasons, and never NaN', () => {
    const s = agreementStats({ labels: new Uint8Array(0), p0: new Float64Array(0), p1: new Float64Array(0), p2: new Float64Array(0) });
    for (const st of [s.kappa, s.severeAuc, s.ece, s.severe.sensitivity, s.moderateOrWorse.npv]) {
      expect(st.value).toBeNull();
      expect(st.reason).toMatch(/\w/);
    }
  });
});
