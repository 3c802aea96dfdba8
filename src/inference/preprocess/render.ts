// Turns source slices into one model input sample: each slice resampled into a channel, then the stack z-scored.
// Pure and transferable: this is the work a preprocessing worker thread does.
import type { ImageFrame } from '../../domain/image.js';
import { resampleBicubic, type OutsidePolicy } from './bicubic.js';
import type { PixelMap } from './pixel-map.js';
import { zscoreInPlace } from './zscore.js';

export type Normalisation = 'zscore-stack' | 'none';

export interface RenderTask {
  /** Per channel: index into the batch's frames and the target -> source map; frame -1 = a zero channel. */
  readonly channels: readonly { readonly frame: number; readonly map: PixelMap }[];
  readonly rows: number;
  readonly cols: number;
  readonly outside: OutsidePolicy;
  readonly normalisation: Normalisation;
}

/** Several samples that share source frames (decoded slices are sent once per batch, not once per sample). */
export interface RenderBatch {
  readonly frames: readonly ImageFrame[];
  readonly tasks: readonly RenderTask[];
}

export function renderTask(frames: readonly ImageFrame[], task: RenderTask): Float32Array {
  const plane = task.rows * task.cols;
  const out = new Float32Array(task.channels.length * plane);
  task.channels.forEach((ch, c) => {
    if (ch.frame >= 0) resampleBicubic(frames[ch.frame], ch.map, task.rows, task.cols, task.outside, out, c * plane);
  });
  if (task.normalisation === 'zscore-stack') zscoreInPlace(out);
  return out;
}

export function renderBatch(batch: RenderBatch): Float32Array[] {
  return batch.tasks.map((t) => renderTask(batch.frames, t));
}
