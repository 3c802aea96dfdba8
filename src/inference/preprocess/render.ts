// Turns source slices into one model input sample: each slice (or the seed's ROI cut-out of it) resampled into a
// channel, then the stack z-scored. Pure and transferable: this is the work a preprocessing worker thread does.
import type { ImageFrame } from '../../domain/image.js';
import { resampleInto } from './bicubic.js';
import type { PixelMap } from './pixel-map.js';
import type { RoiBox } from './roi.js';
import { zscoreWithSum } from './zscore.js';

export type Normalisation = 'zscore-stack' | 'none';

export interface RenderChannel {
  /** Index into the batch's frames; -1 = a zero channel. */
  readonly frame: number;
  /** Target -> source map; in the cut-out's own grid when `cut` is set. */
  readonly map: PixelMap;
  /** The seed's ROI box: the channel resizes img[y1:y2, x1:x2] (its edge pixels repeat past its border). */
  readonly cut?: RoiBox;
}

export interface RenderTask {
  readonly channels: readonly RenderChannel[];
  readonly rows: number;
  readonly cols: number;
  readonly normalisation: Normalisation;
}

/** Several samples that share source frames (decoded slices are sent once per batch, not once per sample). */
export interface RenderBatch {
  readonly frames: readonly ImageFrame[];
  readonly tasks: readonly RenderTask[];
}

/**
 * One sample: channels resampled straight into the tensor (an ROI read in place from its frame, not copied out),
 * then the stack z-scored with the sum the resampler accumulated as it wrote.
 */
export function renderTask(frames: readonly ImageFrame[], task: RenderTask, into?: Float32Array): Float32Array {
  const plane = task.rows * task.cols;
  const size = task.channels.length * plane;
  if (into && into.length !== size) throw new RangeError(`renderTask: target holds ${into.length} values, the task ${size}`);
  // A given target is a zeroed part of the model's tensor (zero channels are skipped, not written).
  const out = into ?? new Float32Array(size);
  let sum = 0;
  for (let c = 0; c < task.channels.length; c++) {
    const ch = task.channels[c];
    if (ch.frame < 0) continue;
    sum = resampleInto(frames[ch.frame], ch.map, task.rows, task.cols, 'replicate', out, c * plane, ch.cut, sum);
  }
  if (task.normalisation === 'zscore-stack') zscoreWithSum(out, sum);
  return out;
}

/** `into[i]`, when given, receives task i in place (it must be zeroed); it is also what the result holds at i. */
export function renderBatch(batch: RenderBatch, into?: readonly Float32Array[]): Float32Array[] {
  return batch.tasks.map((t, i) => renderTask(batch.frames, t, into?.[i]));
}
