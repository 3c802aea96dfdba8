// One frame -> PNG: window to 8-bit grey, optionally enlarge, composite the overlay SVG, encode with sharp.
import sharp from 'sharp';
import type { ImageFrame } from '../../domain/image.js';
import { applyWindow, type DisplayWindow } from './display-window.js';
import { overlaySvg, type OverlayMark, type RoiBox } from './overlay.js';

export const MAX_SCALE = 4;

export interface RenderRequest {
  readonly frame: ImageFrame;
  readonly window: DisplayWindow;
  readonly marks?: readonly OverlayMark[];
  readonly rois?: readonly RoiBox[];
  /** Integer enlargement (1..MAX_SCALE): overlay marks stay crisp on small MR matrices. */
  readonly scale?: number;
}

export async function renderFramePng(request: RenderRequest): Promise<Buffer> {
  const { frame, window } = request;
  const scale = request.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) throw new RangeError(`scale must be an integer 1..${MAX_SCALE}`);
  if (frame.pixels.length !== frame.rows * frame.columns) throw new RangeError('pixel count does not match rows x columns');
  const grey = applyWindow(frame.pixels, window);
  let image = sharp(grey, { raw: { width: frame.columns, height: frame.rows, channels: 1 } });
  if (scale > 1) {
    // Enlarge to a buffer first: sharp applies resize after composite within a single pipeline.
    // raw() output follows the pipeline's colourspace, not the input's channel count: read the channels back.
    const { data, info } = await image
      .resize(frame.columns * scale, frame.rows * scale, { kernel: 'cubic' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  }
  const marks = request.marks ?? [];
  const rois = request.rois ?? [];
  if (marks.length === 0 && rois.length === 0) return image.toColourspace('b-w').png().toBuffer();
  const svg = overlaySvg(marks, rois, { columns: frame.columns, rows: frame.rows, scale });
  return image
    .toColourspace('srgb')
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}
