// Keypoint role: heatmaps of all its folds averaged, each heatmap's peak mapped back to source pixels and mm.
import { pixelToPatient } from '../../dicom/geometry.js';
import type { Level } from '../../domain/vocabulary.js';
import { heatmapPeak } from '../keypoints/heatmap-peak.js';
import type { HeatmapsOutput, ImageInput } from '../manifest.js';
import type { LoadedModel } from '../model-set.js';
import { composeAxis, resizeAxis, toSource, type PixelMap } from '../preprocess/pixel-map.js';
import type { ModelRole, Sample } from '../roles.js';
import type { Unavailable } from '../types.js';
import type { PreparedInputs } from './model-inputs.js';
import { keypointKey, type StudyState } from './study-state.js';

function labelsOf(output: HeatmapsOutput, sample: Sample): { level: Level | undefined; side: Sample['side'] }[] {
  return output.heatmaps.map((h) => ({ level: h.level ?? sample.level, side: h.side ?? sample.side }));
}

/** Records, for every keypoint a sample would have produced, why it is missing. */
export function recordMissingKeypoints(role: ModelRole, model: LoadedModel, state: StudyState, sample: Sample, reason: Unavailable): void {
  const input = model.manifest.inputs.find((i): i is ImageInput => i.kind === 'image') as ImageInput;
  for (const { level, side } of labelsOf(model.manifest.output as HeatmapsOutput, sample)) {
    state.missingKeypoints.push({ role, level, side, reason });
    if (level) state.keypoints.set(keypointKey(input.view.series, level, side), reason);
  }
}

/** `outputs`: one batch-major heatmap tensor per fold, all for the rows of `prepared`. */
export function decodeKeypoints(
  role: ModelRole,
  models: readonly LoadedModel[],
  prepared: PreparedInputs,
  outputs: readonly Float32Array[],
  refine: boolean,
): void {
  const manifest = models[0].manifest;
  const output = manifest.output as HeatmapsOutput;
  const input = manifest.inputs.find((i): i is ImageInput => i.kind === 'image') as ImageInput;
  const [, k, h, w] = output.shape;
  const mean = new Float32Array(outputs[0].length);
  for (const o of outputs) for (let i = 0; i < mean.length; i++) mean[i] += o[i] / outputs.length;
  // Heatmap grid -> input grid (an output stride, if any) -> source slice grid.
  const heatToInput: PixelMap = { x: resizeAxis(input.cols, w), y: resizeAxis(input.rows, h) };

  prepared.rows.forEach((row, r) => {
    const { plan, centreMap } = row.views[0];
    const slice = plan.stack.slices[plan.window.centre];
    const toSlice: PixelMap = { x: composeAxis(centreMap.x, heatToInput.x), y: composeAxis(centreMap.y, heatToInput.y) };
    labelsOf(output, row.sample).forEach(({ level, side }, j) => {
      if (!level) return;
      const peak = heatmapPeak(mean, (r * k + j) * h * w, h, w, refine);
      const pixel = toSource(toSlice, peak);
      const kp = {
        role,
        level,
        side,
        seriesType: input.view.series,
        seriesId: plan.stack.seriesId,
        sopInstanceUid: slice.sopInstanceUid,
        instanceNumber: slice.instanceNumber,
        instanceId: slice.instanceId,
        pixel,
        patientMm: pixelToPatient(slice.geometry, pixel.x, pixel.y),
        score: peak.value,
      };
      row.state.keypoints.set(keypointKey(input.view.series, level, side), kp);
      row.state.keypointList.push(kp);
    });
  });
}
