// The seed's way of combining models (combined_ensemble_model_pred.ipynb + rsna_lumbar_metric.prepare_data):
// softmax of the (weighted) mean of logits, not the mean of probabilities.
import { describe, expect, it } from 'vitest';
import { combineLogits } from '../../../src/inference/pipeline/ensemble.js';
import { parseManifest } from '../../../src/inference/manifest.js';
import { referenceManifestJson } from '../../../src/inference/reference-layout.js';

const softmax = (l: readonly number[]) => {
  const e = l.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('combineLogits', () => {
  it('is the softmax of the mean logits, which differs from the mean of the softmaxes', () => {
    const a = [3, 0, -2] as const;
    const b = [-1, 2, 0.5] as const;
    const got = combineLogits([
      { logits: a, weight: 1 },
      { logits: b, weight: 1 },
    ]);
    const want = softmax([(3 - 1) / 2, (0 + 2) / 2, (-2 + 0.5) / 2]);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    const meanOfProbs = softmax(a).map((v, i) => (v + softmax(b)[i]) / 2);
    expect(Math.abs(got[0] - meanOfProbs[0])).toBeGreaterThan(0.01);
  });

  it('weights each model by its ensembleWeight', () => {
    const got = combineLogits([
      { logits: [1, 0, 0], weight: 3 },
      { logits: [0, 1, 0], weight: 1 },
    ]);
    const want = softmax([0.75, 0.25, 0]);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });

  it('stays finite for large logits', () => {
    const got = combineLogits([{ logits: [1000, 990, -1000], weight: 1 }]);
    expect(got.every(Number.isFinite)).toBe(true);
    expect(got[0]).toBeCloseTo(1 / (1 + Math.exp(-10)), 12);
  });
});

describe('manifest ensembleWeight', () => {
  const base = referenceManifestJson('classifier-spinal', { keypointSize: 64, roiSize: 32 });
  it('defaults to 1 and accepts a positive weight', () => {
    const plain = parseManifest({ ...base, onnx: { file: 'a.onnx', sha256: 'a'.repeat(64) } }, 'a');
    expect(plain.ok && plain.manifest.ensembleWeight).toBe(1);
    const weighted = parseManifest({ ...base, ensembleWeight: 0.25, onnx: { file: 'a.onnx', sha256: 'a'.repeat(64) } }, 'a');
    expect(weighted.ok && weighted.manifest.ensembleWeight).toBe(0.25);
  });
  it('rejects a weight that is not positive', () => {
    const r = parseManifest({ ...base, ensembleWeight: 0, onnx: { file: 'a.onnx', sha256: 'a'.repeat(64) } }, 'a');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.join(' ')).toMatch(/ensembleWeight/);
  });
});
