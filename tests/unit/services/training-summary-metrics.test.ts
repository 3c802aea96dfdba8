// The bundled demo set's training summary becomes the metrics a set trained here records, so the dashboard's CV
// metric column reads it; a directory without a summary has no metrics.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainingSummaryMetrics } from '../../../src/services/training-summary-metrics.js';

const DEMO = fileURLToPath(new URL('../../../models/demo', import.meta.url));

describe('trainingSummaryMetrics', () => {
  it("reads the demo set's per-stage summary: the classifiers' cross-validation and every keypoint role", async () => {
    const metrics = (await trainingSummaryMetrics(DEMO)) as {
      cv: { keypoints: Record<string, { meanPxError: number }>; classifiers: { ensemble: { score: number; rows: number } } };
      source: string;
    };
    expect(metrics.source).toBe('training-summary.json');
    expect(metrics.cv.classifiers.ensemble.score).toBeCloseTo(0.1304, 4);
    expect(metrics.cv.classifiers.ensemble.rows).toBe(296);
    expect(Object.keys(metrics.cv.keypoints).sort()).toEqual(['keypoints-axial', 'keypoints-sagittal-t1', 'keypoints-sagittal-t2']);
  });

  it('reads a single run summary, and gives nothing for a folder without one or without cross-validation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-summary-'));
    try {
      expect(await trainingSummaryMetrics(dir)).toBeUndefined();
      await writeFile(
        join(dir, 'training-summary.json'),
        JSON.stringify({ cv: { classifiers: { split: { score: 0.5 } } }, trainingDataHash: 'h' }),
      );
      expect(await trainingSummaryMetrics(dir)).toEqual({
        cv: { keypoints: {}, classifiers: { split: { score: 0.5 } } },
        trainingDataHash: 'h',
        source: 'training-summary.json',
      });
      await writeFile(join(dir, 'training-summary.json'), JSON.stringify({ config: 'small' }));
      expect(await trainingSummaryMetrics(dir)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
