// Keypoint role: heatmaps of all its folds averaged, each heatmap's peak mapped back to source pixels and mm.
import { pixelToPatient } from '../../dicom/geometry.js';
import type { Level } from '../../domain/vocabulary.js';
import { heatmapPeak } from '../keypoints/heatmap-peak.js';
import type { KeypointModelSpec, ModelManifest } from '../manifest.js';
import type { Sample } from '../roles.js';
import type { StudyKeypoint, Unavailable } from '../types.js';
import type { PreparedInputs } from './model-inputs.js';
import { keypointKey, type StudyState } from './study-state.js';
import { seedCoordinateMap } from './views.js';

const specOf = (m: ModelManifest): KeypointModelSpec => {
  if (m.spec.kind !== 'keypoints') throw new Error(`internal: ${m.name} is not a keypoint model`);
  return m.spec;
};

function labelsOf(spec: KeypointModelSpec, sample: Sample): { level: Level | undefined; side: Sample['side'] }[] {
  return spec.output.heatmaps.map((h) => ({ level: h.level ?? sample.level, side: h.side ?? sample.side }));
}

/** Records, for every keypoint a sample would have produced, why it is missing. */
export function recordMissingKeypoints(m: ModelManifest, state: StudyState, sample: Sample, reason: Unavailable): void {
  const spec = specOf(m);
  for (const { level, side } of labelsOf(spec, sample)) {
    state.missingKeypoints.push({ role: m.role, level, side, reason });
    if (level) state.keypoints.set(keypointKey(spec.view.series, level, side), reason);
  }
}

/**
 * The folds' heatmaps averaged, value by value in fold order (mean += output / folds, in float32). One fold: its
 * output as it is, since 0 + x / 1 is x (a -0 aside, which no argmax tells apart from +0).
 */
export function foldMean(outputs: readonly Float32Array[]): Float32Array {
  if (outputs.length === 1) return outputs[0];
  const mean = new Float32Array(outputs[0].length);
  const n = outputs.length;
  for (const o of outputs) for (let i = 0; i < mean.length; i++) mean[i] += o[i] / n;
  return mean;
}

/** `outputs`: one batch-major heatmap tensor per fold, all for the rows of `prepared`. */
export function decodeKeypoints(m: ModelManifest, prepared: PreparedInputs, outputs: readonly Float32Array[], refine: boolean): void {
  const spec = specOf(m);
  const [, k, h, w] = spec.output.shape as [unknown, number, number, number];
  const mean = foldMean(outputs);

  prepared.rows.forEach((row, r) => {
    const slot = row.slots[0];
    const slice = slot?.plan.keypointSlice;
    if (!slot || !slice) return;
    const toSlice = seedCoordinateMap(slice, h, w);
    labelsOf(spec, row.sample).forEach(({ level, side }, j) => {
      if (!level) return;
      const peak = heatmapPeak(mean, (r * k + j) * h * w, h, w, refine);
      // generate_coords.py: x_norm = argmax x / W, y_norm = argmax y / H.
      const normalized = { x: peak.x / w, y: peak.y / h };
      const pixel = { x: peak.x * toSlice.x.scale, y: peak.y * toSlice.y.scale };
      const kp: StudyKeypoint = {
        role: m.role,
        level,
        side,
        seriesType: spec.view.series,
        seriesId: slot.plan.series.seriesId,
        sopInstanceUid: slice.sopInstanceUid,
        instanceNumber: slice.instanceNumber,
        instanceId: slice.instanceId,
        pixel,
        normalized,
        patientMm: pixelToPatient(slice.geometry, pixel.x, pixel.y),
        // + 0: a one-fold "mean" is the output itself, and a -0 peak reads +0 as the summed mean gave it.
        score: peak.value + 0,
      };
      row.state.keypoints.set(keypointKey(spec.view.series, level, side), kp);
      row.state.keypointList.push(kp);
    });
  });
}
