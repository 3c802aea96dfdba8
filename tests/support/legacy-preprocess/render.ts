// Test-only reference (issue 15): src/inference/preprocess/render.ts as it was on main at 78f7c91, before the
// preprocessing rewrite, kept verbatim (imports re-pointed) so tests can check the new code renders the same bits.
// Turns source slices into one model input sample: each slice (or the seed's ROI cut-out of it) resampled into a
// channel, then the stack z-scored. Pure and transferable: this is the work a preprocessing worker thread does.
import type { ImageFrame } from '../../../src/domain/image.js';
import { resampleBicubic } from './bicubic.js';
import type { PixelMap } from '../../../src/inference/preprocess/pixel-map.js';
import type { RoiBox } from '../../../src/inference/preprocess/roi.js';
import { zscoreInPlace } from './zscore.js';

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

/** img[y1:y2, x1:x2] as its own frame. */
export function cutOut(frame: ImageFrame, box: RoiBox): ImageFrame {
  const columns = box.x2 - box.x1;
  const rows = box.y2 - box.y1;
  const pixels = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const from = (box.y1 + r) * frame.columns + box.x1;
    pixels.set(frame.pixels.subarray(from, from + columns), r * columns);
  }
  return { rows, columns, pixels };
}

export function renderTask(frames: readonly ImageFrame[], task: RenderTask): Float32Array {
  const plane = task.rows * task.cols;
  const out = new Float32Array(task.channels.length * plane);
  task.channels.forEach((ch, c) => {
    if (ch.frame < 0) return;
    const source = ch.cut ? cutOut(frames[ch.frame], ch.cut) : frames[ch.frame];
    resampleBicubic(source, ch.map, task.rows, task.cols, 'replicate', out, c * plane);
  });
  if (task.normalisation === 'zscore-stack') zscoreInPlace(out);
  return out;
}

export function renderBatch(batch: RenderBatch): Float32Array[] {
  return batch.tasks.map((t) => renderTask(batch.frames, t));
}
