import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../../src/cli/infer.command.js';

describe('the infer summary', () => {
  it('reports wall clock per study and stage times as sums over the run, never sums presented as per-study cost', () => {
    // 12 studies in 3.0 s; loads ran concurrently, so their summed latency (27.9 s) exceeds the wall clock.
    const text = formatSummary({
      modelSet: 'demo',
      studies: 12,
      predictions: 300,
      keypoints: 120,
      fallbacks: {},
      stagesMs: { load: 27_864, 'model:keypoints-sagittal-t2': 900 },
      wallMs: 3000,
    });
    expect(text).toContain('12 studies, 300 predictions, 120 keypoints in 3.0 s (240.0 studies/min, 250 ms of wall clock per study)');
    expect(text).toContain(
      'summed over the run (stages overlap, so the sum exceeds the wall clock): load 27.9 s, model:keypoints-sagittal-t2 0.9 s',
    );
    expect(text).not.toMatch(/per study: load/);
  });
});
