// Renders one slice of the phantom into 12-bit MR pixel values: tissue lookup at every pixel's patient position,
// a light blur for partial volume, a smooth receive-coil bias field, per-series intensity scale and Rician noise.
import type { SliceGeometry } from '../domain/image.js';
import { sampleTissueGrid, type Phantom } from './phantom.js';
import { NORMAL_TABLE, type Random } from './random.js';
import { columnCosine, rowCosine } from './slice-geometry.js';
import { scale, type Vec3 } from './vec.js';

export const MAX_PIXEL_VALUE = 4095;

/** Multiplicative bias exp(g . d / 100 + q |d|^2 / 100^2), d = patient position - centre (mm). */
export interface BiasField {
  readonly centre: Vec3;
  readonly gradient: Vec3;
  readonly curvature: number;
}

export interface SeriesAppearance {
  /** Signal per tissue id, 0..~1. */
  readonly contrast: Float32Array;
  /** Pixel value of signal 1 before bias and noise. */
  readonly intensityScale: number;
  /** Noise standard deviation in the same units as `contrast`. */
  readonly noise: number;
  readonly bias: BiasField;
}

/** In-place [1 2 1]/4 blur along rows then columns (edges clamp). */
function blur121(image: Float32Array, columns: number, rows: number): void {
  const line = new Float32Array(Math.max(columns, rows));
  for (let j = 0; j < rows; j++) {
    const base = j * columns;
    for (let i = 0; i < columns; i++) line[i] = image[base + i];
    for (let i = 0; i < columns; i++) {
      const left = line[i > 0 ? i - 1 : 0];
      const right = line[i < columns - 1 ? i + 1 : columns - 1];
      image[base + i] = 0.25 * left + 0.5 * line[i] + 0.25 * right;
    }
  }
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) line[j] = image[j * columns + i];
    for (let j = 0; j < rows; j++) {
      const up = line[j > 0 ? j - 1 : 0];
      const down = line[j < rows - 1 ? j + 1 : rows - 1];
      image[j * columns + i] = 0.25 * up + 0.5 * line[j] + 0.25 * down;
    }
  }
}

/** Tissue id of every pixel of the slice (row-major). */
export function sliceTissues(phantom: Phantom, geometry: SliceGeometry): Uint8Array {
  const { rows, columns, pixelSpacing, imagePositionPatient } = geometry;
  const tissues = new Uint8Array(rows * columns);
  const stepI = scale(rowCosine(geometry), pixelSpacing[1]);
  const stepJ = scale(columnCosine(geometry), pixelSpacing[0]);
  sampleTissueGrid(phantom, imagePositionPatient, stepI, stepJ, columns, rows, tissues);
  return tissues;
}

/** Bias gain sampled every BIAS_CELL pixels and interpolated: the field is smooth, exp per pixel is not needed. */
const BIAS_CELL = 16;

function biasGains(geometry: SliceGeometry, bias: BiasField): { gains: Float32Array; nodesX: number; nodesY: number } {
  const { rows, columns, pixelSpacing, imagePositionPatient: origin } = geometry;
  const r = rowCosine(geometry);
  const c = columnCosine(geometry);
  const { centre, gradient: g, curvature } = bias;
  const nodesX = Math.ceil((columns - 1) / BIAS_CELL) + 1;
  const nodesY = Math.ceil((rows - 1) / BIAS_CELL) + 1;
  const gains = new Float32Array(nodesX * nodesY);
  for (let gy = 0; gy < nodesY; gy++) {
    for (let gx = 0; gx < nodesX; gx++) {
      const dx = gx * BIAS_CELL * pixelSpacing[1];
      const dy = gy * BIAS_CELL * pixelSpacing[0];
      const px = (origin[0] + dx * r[0] + dy * c[0] - centre[0]) / 100;
      const py = (origin[1] + dx * r[1] + dy * c[1] - centre[1]) / 100;
      const pz = (origin[2] + dx * r[2] + dy * c[2] - centre[2]) / 100;
      gains[gy * nodesX + gx] = Math.exp(g[0] * px + g[1] * py + g[2] * pz + curvature * (px * px + py * py + pz * pz));
    }
  }
  return { gains, nodesX, nodesY };
}

export function renderSlice(
  phantom: Phantom,
  geometry: SliceGeometry,
  appearance: SeriesAppearance,
  noiseRng: Random,
): Uint16Array {
  const { rows, columns } = geometry;
  const tissues = sliceTissues(phantom, geometry);
  const image = new Float32Array(rows * columns);
  const { contrast, intensityScale, noise, bias } = appearance;
  for (let p = 0; p < image.length; p++) image[p] = contrast[tissues[p]];
  blur121(image, columns, rows);

  const { gains, nodesX, nodesY } = biasGains(geometry, bias);
  const out = new Uint16Array(rows * columns);
  for (let j = 0; j < rows; j++) {
    const gy = (j / BIAS_CELL) | 0;
    const fy = (j - gy * BIAS_CELL) / BIAS_CELL;
    const top = gy * nodesX;
    const bottom = Math.min(gy + 1, nodesY - 1) * nodesX;
    for (let i = 0; i < columns; i++) {
      const gx = (i / BIAS_CELL) | 0;
      const fx = (i - gx * BIAS_CELL) / BIAS_CELL;
      const right = gx + 1 < nodesX ? gx + 1 : gx;
      const gTop = gains[top + gx] + fx * (gains[top + right] - gains[top + gx]);
      const gBottom = gains[bottom + gx] + fx * (gains[bottom + right] - gains[bottom + gx]);
      const signal = image[j * columns + i] * (gTop + fy * (gBottom - gTop));
      // Magnitude of a complex signal with Gaussian noise on both channels: Rician, as MR magnitude images are.
      const bits = noiseRng.nextUint32();
      const re = signal + noise * NORMAL_TABLE[bits >>> 16];
      const im = noise * NORMAL_TABLE[bits & 0xffff];
      const value = Math.round(Math.sqrt(re * re + im * im) * intensityScale);
      out[j * columns + i] = value > MAX_PIXEL_VALUE ? MAX_PIXEL_VALUE : value;
    }
  }
  return out;
}
