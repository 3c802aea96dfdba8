// Greyscale display windows: which modality values map to black and white. MR values have no fixed scale, so the
// default is the file's own VOI window when it carries one and robust percentiles of the frame otherwise.
import type { ImageFrame } from '../../domain/image.js';

/** A DICOM VOI LUT window (PS3.3 C.11.2.1.2): centre and width in modality values. */
export interface DisplayWindow {
  readonly centre: number;
  readonly width: number;
}

export type WindowRequest =
  /** Percentiles 1 and 99 of the frame. */
  | { readonly kind: 'auto' }
  /** The file's WindowCenter/WindowWidth, or `auto` when it has none. */
  | { readonly kind: 'dicom' }
  | { readonly kind: 'explicit'; readonly window: DisplayWindow };

export interface ResolvedWindow extends DisplayWindow {
  readonly source: 'percentile' | 'dicom' | 'explicit';
}

export const LOW_PERCENTILE = 1;
export const HIGH_PERCENTILE = 99;

export function resolveWindow(frame: ImageFrame, request: WindowRequest, fromFile: DisplayWindow | undefined): ResolvedWindow {
  if (request.kind === 'explicit') return { ...request.window, source: 'explicit' };
  if (request.kind === 'dicom' && fromFile && fromFile.width >= 1) return { ...fromFile, source: 'dicom' };
  return { ...percentileWindow(frame.pixels), source: 'percentile' };
}

/** The window spanning the `low`..`high` percentiles of the values (nearest rank), so outliers do not flatten it. */
export function percentileWindow(pixels: Float32Array, low = LOW_PERCENTILE, high = HIGH_PERCENTILE): DisplayWindow {
  if (pixels.length === 0) return { centre: 0, width: 1 };
  const sorted = Float32Array.from(pixels).sort();
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const lo = at(low);
  const hi = at(high);
  // A flat frame still needs a valid window (width >= 1); centre it on the value so it shows mid-grey.
  if (!(hi > lo)) return { centre: lo, width: 1 };
  // Choose centre/width so that the linear VOI function maps lo to 0 and hi to 255 exactly.
  return { centre: (lo + hi) / 2 + 0.5, width: hi - lo + 1 };
}

/** Applies the DICOM linear VOI function to every value, giving 8-bit grey levels. */
export function applyWindow(pixels: Float32Array, window: DisplayWindow): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const c = window.centre - 0.5;
  const w = Math.max(1, window.width) - 1;
  if (w === 0) {
    // Width 1 is a threshold: below the centre black, at or above it white.
    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] < window.centre ? 0 : 255;
    return out;
  }
  const lowEdge = c - w / 2;
  const highEdge = c + w / 2;
  for (let i = 0; i < pixels.length; i++) {
    const x = pixels[i];
    if (x <= lowEdge) out[i] = 0;
    else if (x > highEdge) out[i] = 255;
    else out[i] = Math.round(((x - c) / w + 0.5) * 255);
  }
  return out;
}
