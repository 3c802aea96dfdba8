// A model's input tensors for one study from keypoints given by the caller (e.g. label coordinates): what the
// training-tensor exporter calls, so training sees exactly what inference feeds the model.
import type { ModelManifest } from './manifest.js';
import { keypointKey, StudyState } from './pipeline/study-state.js';
import { prepareInputs } from './pipeline/model-inputs.js';
import type { PixelMap } from './preprocess/pixel-map.js';
import { inlinePreprocessor, type Preprocessor } from './preprocess/preprocessor.js';
import type { Sample } from './roles.js';
import type { StudyInput } from './stack.js';
import type { StudyKeypoint, Unavailable } from './types.js';

export interface RenderedSlotInfo {
  readonly seriesId: string;
  /** The slice a keypoint found in this slot lies on (the window's centre slice). */
  readonly centreSopInstanceUid: string;
  /** The slot's slices, in channel order. */
  readonly sopInstanceUids: readonly string[];
  /** Tensor grid -> centre slice pixels; toTarget() maps a source point (a label) into the tensor grid. */
  readonly map: PixelMap;
}

export interface RenderedSample {
  readonly sample: Sample;
  /** One sample: the input shape without the batch axis, float32. */
  readonly tensor: Float32Array;
  /** Per slot; undefined when the slot was zero-filled. */
  readonly slots: readonly (RenderedSlotInfo | undefined)[];
  readonly zeroFilled: readonly Unavailable[];
}

export interface RenderedStudy {
  readonly samples: readonly RenderedSample[];
  readonly skipped: readonly { readonly sample: Sample; readonly reason: Unavailable }[];
}

/**
 * Renders every sample of `manifest` for `study`. Views centred on keypoints (ROIs) and the axial slice choice
 * (projection of the Sag T2 point) use `keypoints`; a point needs `patientMm` for the projection.
 */
export async function renderStudySamples(
  manifest: ModelManifest,
  study: StudyInput,
  keypoints: readonly StudyKeypoint[],
  preprocessor: Preprocessor = inlinePreprocessor,
): Promise<RenderedStudy> {
  const state = new StudyState(study);
  for (const kp of keypoints) state.keypoints.set(keypointKey(kp.seriesType, kp.level, kp.side), kp);
  const prepared = await prepareInputs(manifest, [state], preprocessor);
  const size = prepared.rows.length > 0 ? prepared.tensor.length / prepared.rows.length : 0;
  return {
    samples: prepared.rows.map((row, r) => ({
      sample: row.sample,
      tensor: prepared.tensor.slice(r * size, (r + 1) * size),
      zeroFilled: row.zeroFilled,
      slots: row.slots.map((s) =>
        s
          ? {
              seriesId: s.plan.stack.seriesId,
              centreSopInstanceUid: s.plan.stack.slices[s.plan.window.centre].sopInstanceUid,
              sopInstanceUids: s.plan.window.indices.map((i) => s.plan.stack.slices[i].sopInstanceUid),
              map: s.centreMap,
            }
          : undefined,
      ),
    })),
    skipped: prepared.skipped.map((s) => ({ sample: s.sample, reason: s.reason })),
  };
}
