// A model's input tensors for one study from keypoints given by the caller (e.g. label coordinates): what the
// training-tensor exporter calls, so training sees exactly what inference feeds the model.
import type { ModelManifest } from './manifest.js';
import { keypointKey, StudyState } from './pipeline/study-state.js';
import { prepareInputs } from './pipeline/model-inputs.js';
import type { PixelPoint } from './preprocess/pixel-map.js';
import { inlinePreprocessor, type Preprocessor } from './preprocess/preprocessor.js';
import type { Sample } from './roles.js';
import type { SliceRef, StudyInput } from './stack.js';
import type { StudyKeypoint, Unavailable } from './types.js';

export interface RenderedSlotInfo {
  readonly seriesId: string;
  /** Keypoint inputs: the slice a keypoint found in this slot lies on. */
  readonly keypointSlice: SliceRef | undefined;
  /** Per channel, the slice it holds; null for a zero channel (past the series' end or an ROI box past the edge). */
  readonly channelSlices: readonly (SliceRef | null)[];
  /** ROI slots: the centre as x_norm, y_norm. */
  readonly centreNorm: PixelPoint | undefined;
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
 * Renders every sample of `manifest` for `study` from given keypoints, as the seed's datasets render from a
 * coordinates file: ROIs are centred on the keypoints and the axial inputs of a level on the slice of its axial
 * keypoints (label instance numbers, or the projected ones inference found), never on a fresh projection.
 */
export async function renderStudySamples(
  manifest: ModelManifest,
  study: StudyInput,
  keypoints: readonly StudyKeypoint[],
  preprocessor: Preprocessor = inlinePreprocessor,
): Promise<RenderedStudy> {
  const state = new StudyState(study, undefined, 'keypoints');
  // The first keypoint of a (series, level, side) wins, as the seed's get_*_coord take the first coordinate row.
  for (const kp of keypoints) {
    const key = keypointKey(kp.seriesType, kp.level, kp.side);
    if (!state.keypoints.has(key)) state.keypoints.set(key, kp);
  }
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
              seriesId: s.plan.series.seriesId,
              keypointSlice: s.plan.keypointSlice,
              channelSlices: Array.from({ length: size / row.slots.length / planeOf(manifest) }, (_, c) =>
                c < s.filled ? s.plan.series.slices[s.plan.window.indices[c]] : null,
              ),
              centreNorm: s.plan.centreNorm,
            }
          : undefined,
      ),
    })),
    skipped: prepared.skipped.map((s) => ({ sample: s.sample, reason: s.reason })),
  };
}

/** rows x cols of one channel of the manifest's input. */
function planeOf(m: ModelManifest): number {
  return m.spec.input.rows * m.spec.input.cols;
}
