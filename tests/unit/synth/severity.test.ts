import { describe, expect, it } from 'vitest';
import { CONDITIONS, CONDITION_INFO, LEVELS, SEVERITIES, type Severity } from '../../../src/domain/vocabulary.js';
import { Random } from '../../../src/synth/random.js';
import { drawStudyGrades, GRADE_RANGE, PREVALENCE } from '../../../src/synth/severity.js';

const RSNA_RATES = { spinal: [0.85, 0.09, 0.06], foraminal: [0.7, 0.23, 0.07], subarticular: [0.65, 0.25, 0.1] } as const;

describe('label severities', () => {
  it('has level tables whose means are the RSNA prevalences, worse at the lower levels', () => {
    for (const [core, rates] of Object.entries(RSNA_RATES) as [keyof typeof RSNA_RATES, readonly number[]][]) {
      const table = PREVALENCE[core];
      for (const row of table) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      for (let k = 0; k < 3; k++) expect(table.reduce((sum, row) => sum + row[k], 0) / table.length).toBeCloseTo(rates[k], 10);
      // L4/L5 is the worst level for every condition, L1/L2 the best.
      expect(table[3][2]).toBeGreaterThan(table[0][2]);
      expect(table[3][0]).toBeLessThan(table[0][0]);
    }
  });

  it('draws severities at those rates, with grades inside their class range', () => {
    const counts = { spinal: [0, 0, 0], foraminal: [0, 0, 0], subarticular: [0, 0, 0] };
    const studies = 3000;
    let outOfClass = 0;
    for (let i = 0; i < studies; i++) {
      const grades = drawStudyGrades(new Random('prevalence', i));
      for (const condition of CONDITIONS) {
        for (const level of LEVELS) {
          const { severity, grade } = grades[condition][level];
          const [min, max] = GRADE_RANGE[severity];
          if (!(grade >= min && grade < max)) outOfClass++;
          counts[CONDITION_INFO[condition].core][SEVERITIES.indexOf(severity)]++;
        }
      }
    }
    expect(outOfClass).toBe(0);
    for (const [core, rates] of Object.entries(RSNA_RATES) as [keyof typeof RSNA_RATES, readonly number[]][]) {
      const total = counts[core].reduce((a, b) => a + b, 0);
      rates.forEach((rate, k) => expect(Math.abs(counts[core][k] / total - rate)).toBeLessThan(0.015));
    }
  });

  it('keeps the grade classes apart, so severity is recoverable from the anatomy', () => {
    const order: Severity[] = ['NORMAL_MILD', 'MODERATE', 'SEVERE'];
    for (let k = 1; k < order.length; k++) {
      expect(GRADE_RANGE[order[k]][0] - GRADE_RANGE[order[k - 1]][1]).toBeGreaterThanOrEqual(0.1);
    }
  });

  it('applies an override to its own label only', () => {
    const plain = drawStudyGrades(new Random('override', 1));
    const forced = drawStudyGrades(new Random('override', 1), { SPINAL_CANAL_STENOSIS: { L4_L5: 'SEVERE' } });
    expect(forced.SPINAL_CANAL_STENOSIS.L4_L5.severity).toBe('SEVERE');
    for (const condition of CONDITIONS) {
      for (const level of LEVELS) {
        if (condition === 'SPINAL_CANAL_STENOSIS' && level === 'L4_L5') continue;
        expect(forced[condition][level]).toEqual(plain[condition][level]);
      }
    }
  });
});
