import { describe, expect, it } from 'vitest';
import { assignFolds, foldCountFor } from '../../../src/training/folds.js';

const cohort = (n: number, severeEvery: number) =>
  Array.from({ length: n }, (_, i) => ({ studyId: `s${String(i).padStart(3, '0')}`, anySevere: i % severeEvery === 0 }));

describe('foldCountFor', () => {
  it('keeps 5 folds for a real cohort and shrinks for tiny ones so every fold holds two studies', () => {
    expect(foldCountFor(200)).toBe(5);
    expect(foldCountFor(10)).toBe(5);
    expect(foldCountFor(8)).toBe(4);
    expect(foldCountFor(100, 3)).toBe(3);
    expect(() => foldCountFor(10, 0)).toThrow(RangeError);
  });

  it('never gives a single fold, whose models would have no study to train on', () => {
    // 2 or 3 labelled studies (what startTraining accepts at the least) train as 2 folds, not 1.
    expect(foldCountFor(2)).toBe(2);
    expect(foldCountFor(3)).toBe(2);
    expect(foldCountFor(5)).toBe(2);
    expect(() => foldCountFor(10, 1)).toThrow(RangeError);
  });
});

describe('assignFolds', () => {
  it('balances fold sizes and spreads the severe studies evenly', () => {
    const studies = cohort(103, 4);
    const folds = assignFolds(studies, 5, 42);
    expect(folds.size).toBe(103);
    const sizes = [0, 0, 0, 0, 0];
    const severe = [0, 0, 0, 0, 0];
    for (const s of studies) {
      const f = folds.get(s.studyId)!;
      sizes[f]++;
      if (s.anySevere) severe[f]++;
    }
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(Math.max(...severe) - Math.min(...severe)).toBeLessThanOrEqual(1);
    expect(severe.reduce((a, b) => a + b, 0)).toBe(26);
  });

  it('is deterministic for a seed whatever the input order, and changes with the seed', () => {
    const studies = cohort(40, 3);
    const a = assignFolds(studies, 5, 7);
    const b = assignFolds([...studies].reverse(), 5, 7);
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
    const c = assignFolds(studies, 5, 8);
    expect(studies.some((s) => c.get(s.studyId) !== a.get(s.studyId))).toBe(true);
  });

  it('rejects duplicate studies and bad fold counts', () => {
    expect(() => assignFolds([...cohort(3, 2), { studyId: 's000', anySevere: false }], 2, 0)).toThrow(/twice/);
    expect(() => assignFolds(cohort(3, 2), 0, 0)).toThrow(RangeError);
  });
});
