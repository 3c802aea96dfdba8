// The agreement statistics take shortcuts over 500,000 rows: the calibration bins of all classes in one pass, the
// bin found from p / step instead of a walk over the edges, the pooled AUC from the levels' sorted scores merged. Each
// must give the plain definition's answer to the last bit, on rows with ties, exact edges, zeros and ones.
import { describe, expect, it } from 'vitest';
import { agreementOfLevels, agreementStats, type SeverityRows } from '../../../../src/services/analytics/agreement-stats.js';
import {
  binOf,
  calibrationOf,
  CALIBRATION_BINS,
  expectedCalibrationError,
  reliabilityBins,
} from '../../../../src/services/analytics/calibration.js';
import { rocAuc } from '../../../../src/services/analytics/roc-auc.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STEP = (1 + 1e-8) / CALIBRATION_BINS;
const EDGES = Array.from({ length: CALIBRATION_BINS - 1 }, (_, i) => (i + 1) * STEP);
/** The definition: the lowest bin whose upper edge is >= p. */
const binByWalk = (p: number): number => {
  let bin = 0;
  while (bin < EDGES.length && EDGES[bin] < p) bin++;
  return bin;
};

function rows(n: number, random: () => number): SeverityRows {
  const r = { labels: new Uint8Array(n), p0: new Float64Array(n), p1: new Float64Array(n), p2: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    r.labels[i] = Math.floor(random() * 3);
    // Coarse values (ties), exact bin edges and the extremes among them.
    const pick = random();
    const a = pick < 0.2 ? Math.round(random() * 10) / 10 : pick < 0.3 ? EDGES[Math.floor(random() * EDGES.length)] : random();
    const b = (1 - a) * (pick < 0.5 ? Math.round(random() * 4) / 4 : random());
    r.p0[i] = a;
    r.p1[i] = b;
    r.p2[i] = 1 - a - b;
  }
  return r;
}

describe('agreement statistics: fast paths equal the definitions', () => {
  it('binOf equals the walk over the edges, at and beside every edge', () => {
    const probes = [
      0,
      1,
      1 + 1e-8,
      2,
      -1,
      NaN,
      Infinity,
      ...EDGES.flatMap((e) => [e, e * (1 - 1e-16), e * (1 + 1e-16), e - 1e-12, e + 1e-12]),
    ];
    const random = rng(1);
    for (let i = 0; i < 100_000; i++) probes.push(random());
    expect(probes.filter((p) => binOf(p) !== binByWalk(p))).toEqual([]);
  });

  it('calibrationOf equals expectedCalibrationError and reliabilityBins per class', () => {
    const r = rows(5000, rng(2));
    const fused = calibrationOf(r.labels, r.p0, r.p1, r.p2);
    expect(fused.ece).toEqual(expectedCalibrationError(r.labels, r.p0, r.p1, r.p2));
    [r.p0, r.p1, r.p2].forEach((p, k) => {
      expect(fused.reliability[k]).toEqual(
        reliabilityBins(
          Array.from(r.labels, (l) => l === k),
          p,
        ),
      );
    });
  });

  it('the levels and their pool in one pass equal agreementStats of each level and of the rows concatenated', () => {
    const random = rng(3);
    const parts = [rows(700, random), rows(1, random), rows(0, random), rows(1200, random), rows(300, random)];
    const cat = (f: (p: SeverityRows) => ArrayLike<number>) => parts.flatMap((p) => Array.from(f(p)));
    const pooled: SeverityRows = {
      labels: Uint8Array.from(cat((p) => p.labels)),
      p0: Float64Array.from(cat((p) => p.p0)),
      p1: Float64Array.from(cat((p) => p.p1)),
      p2: Float64Array.from(cat((p) => p.p2)),
    };
    const fast = agreementOfLevels(parts);
    expect(fast.pooled).toEqual(agreementStats(pooled));
    parts.forEach((p, i) => expect(fast.levels[i]).toEqual(agreementStats(p)));
    expect(fast.pooled.severeAuc).toEqual(
      rocAuc(
        Array.from(pooled.labels, (l) => l === 2),
        pooled.p2,
      ),
    );
  });
});
