// Keypoint role: heatmaps of all its folds averaged, each heatmap's peak mapped back to source pixels and mm.
import { pixelToPatient } from '../../dicom/geometry.js';
import type { Level } from '../../domain/vocabulary.js';
import { heatmapPeak } from '../keypoints/heatmap-peak.js';
import type { KeypointModelSpec, ModelManifest } from '../manifest.js';
import { composeAxis, resizeAxis, toSource, type PixelMap } from '../preprocess/pixel-map.js';
import type { Sample } from '../roles.js';
import type { StudyKeypoint, Unavailable } from '../types.js';
import type { PreparedInputs } from './model-inputs.js';
import { keypointKey, type StudyState } from './study-state.js';

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

/** `outputs`: one batch-major heatmap tensor per fold, all for the rows of `prepared`. */
export function decodeKeypoints(m: ModelManifest, prepared: PreparedInputs, outputs: readonly Float32Array[], refine: boolean): void {
  const spec = specOf(m);
  const [, k, h, w] = spec.output.shape as [unknown, number, number, number];
  const mean = new Float32Array(outputs[0].length);
  for (const o of outputs) for (let i = 0; i < mean.length; i++) mean[i] += o[i] / outputs.length;
  // Heatmap grid -> input grid (an output stride, if any) -> source slice grid.
  const heatToInput: PixelMap = { x: resizeAxis(spec.input.cols, w), y: resizeAxis(spec.input.rows, h) };

  prepared.rows.forEach((row, r) => {
    const slot = row.slots[0];
    if (!slot) return;
    const slice = slot.plan.stack.slices[slot.plan.window.centre];
    const toSlice: PixelMap = { x: composeAxis(slot.centreMap.x, heatToInput.x), y: composeAxis(slot.centreMap.y, heatToInput.y) };
    labelsOf(spec, row.sample).forEach(({ level, side }, j) => {
      if (!level) return;
      const peak = heatmapPeak(mean, (r * k + j) * h * w, h, w, refine);
      const pixel = toSource(toSlice, peak);
      const kp: StudyKeypoint = {
        role: m.role,
        level,
        side,
        seriesType: spec.view.series,
        seriesId: slot.plan.stack.seriesId,
        sopInstanceUid: slice.sopInstanceUid,
        instanceNumber: slice.instanceNumber,
        instanceId: slice.instanceId,
        pixel,
        patientMm: pixelToPatient(slice.geometry, pixel.x, pixel.y),
        score: peak.value,
      };
      row.state.keypoints.set(keypointKey(spec.view.series, level, side), kp);
      row.state.keypointList.push(kp);
    });
  });
}
