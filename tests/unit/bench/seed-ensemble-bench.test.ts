// The arithmetic of the "seed ensemble" row (bench/inference/seed-ensemble.ts): every network's one timed copy counts
// once per fold, and the table's totals and ratios are the ones computed from its rows.
import { describe, expect, it } from 'vitest';
import { ensembleTotals, seedEnsembleMarkdown, type SeedModelTiming } from '../../../bench/inference/seed-ensemble.js';

const ms = (median: number) => ({ median, p10: median - 1, p90: median + 1, mean: median });
const model = (name: string, fp32: number, int8: number, gflop: number): SeedModelTiming => ({
  name,
  batch: 5,
  flops: gflop * 1e9,
  fp32: ms(fp32),
  int8: ms(int8),
  quantizedLayers: { Conv: 3 },
  maxAbsDiff: 0.01,
  fp32OutputRange: 2,
});

describe('seed ensemble row', () => {
  const models = [model('keypoints-axial', 1000, 400, 300), model('classifier-global-swin', 3000, 2600, 1000)];

  it('counts each network once per fold', () => {
    expect(ensembleTotals(models, 5)).toEqual({ fp32MsPerStudy: 20_000, int8MsPerStudy: 15_000, flopsPerStudy: 6_500e9 });
    expect(ensembleTotals(models, 1).fp32MsPerStudy).toBe(4000);
  });

  it('writes the totals, the ratio and the achieved GFLOP/s', () => {
    const md = seedEnsembleMarkdown({ models, folds: 5, runs: 3, ...ensembleTotals(models, 5), exportMs: null, quantizeMs: 1000 });
    expect(md).toContain('| keypoints-axial | 5 | 300.0 | 300 | 1000 (999-1001) | 400 (399-401) | 2.50x | 5000 | 2000 |');
    expect(md).toContain('| **seed ensemble, model time per study** | | **6500** | **325** | | | **1.33x** | **20000** | **15000** | |');
    expect(md).toContain('then 3 timed runs each');
    expect(md).toContain('export cached');
  });
});
