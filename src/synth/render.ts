// Renders one slice of the phantom into 12-bit MR pixel values: tissue lookup at every pixel's patient position,
// a light blur for partial volume, a smooth receive-coil bias field, per-series intensity scale and Rician noise.
import type { SliceGeometry } from '../domain/image.js';
import { sampleTissueGrid, type Phantom } from './phantom.js';
import { hashInts3, NORMAL_TABLE, type Random } from './random.js';
import { columnCosine, rowCosine } from './slice-geometry.js';
import { scale, type Vec3 } from './vec.js';

export const MAX_PIXEL_VALUE = 4095;

/** Multiplicative bias exp(g . d / 100 + q |d|^2 / 100^2), d = patient position - centre (mm). */
export interface BiasField {
  readonly centre: Vec3;
  readonly gradient: Vec3;
  readonly curvature: number;
}

/** Smooth tissue heterogeneity: value noise in patient space (so neighbouring slices agree), a few octaves. */
export interface TextureField {
  readonly seed: number;
  readonly octaves: readonly { readonly cellMm: number; readonly amplitude: number }[];
}

/** Random value in [-1, 1] at an integer lattice corner. */
function cornerValue(seed: number, x: number, y: number, z: number): number {
  return hashInts3(seed, x, y, z) / 2147483647.5 - 1;
}

/** Value noise in [-1, 1]: random values at the corners of a unit lattice, smoothly interpolated. (No inner
 * closures: this runs a million times per study.) */
function valueNoise(seed: number, x: number, y: number, z: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const fx = x - x0;
  const fy = y - y0;
  const fz = z - z0;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const sz = fz * fz * (3 - 2 * fz);
  const c000 = cornerValue(seed, x0, y0, z0);
  const c100 = cornerValue(seed, x0 + 1, y0, z0);
  const c010 = cornerValue(seed, x0, y0 + 1, z0);
  const c110 = cornerValue(seed, x0 + 1, y0 + 1, z0);
  const c001 = cornerValue(seed, x0, y0, z0 + 1);
  const c101 = cornerValue(seed, x0 + 1, y0, z0 + 1);
  const c011 = cornerValue(seed, x0, y0 + 1, z0 + 1);
  const c111 = cornerValue(seed, x0 + 1, y0 + 1, z0 + 1);
  const near = c000 + (c100 - c000) * sx + (c010 + (c110 - c010) * sx - (c000 + (c100 - c000) * sx)) * sy;
  const far = c001 + (c101 - c001) * sx + (c011 + (c111 - c011) * sx - (c001 + (c101 - c001) * sx)) * sy;
  return near + (far - near) * sz;
}

export interface SeriesAppearance {
  /** Signal per tissue id, 0..~1. */
  readonly contrast: Float32Array;
  /** How strongly the texture modulates each tissue's signal (fraction per unit of texture). */
  readonly textureStrength: Float32Array;
  /** Pixel value of signal 1 before bias and noise. */
  readonly intensityScale: number;
  /** Noise standard deviation in the same units as `contrast`. */
  readonly noise: number;
  readonly bias: BiasField;
  readonly texture: TextureField;
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

/** Smooth fields are evaluated every LATTICE pixels and interpolated: exp and sin per pixel are not needed. */
const LATTICE = 8;

interface Lattice {
  readonly values: Float32Array;
  readonly nodesX: number;
  readonly nodesY: number;
}

function sampleLattice(geometry: SliceGeometry, field: (x: number, y: number, z: number) => number): Lattice {
  const { rows, columns, pixelSpacing, imagePositionPatient: origin } = geometry;
  const r = rowCosine(geometry);
  const c = columnCosine(geometry);
  const nodesX = Math.ceil((columns - 1) / LATTICE) + 1;
  const nodesY = Math.ceil((rows - 1) / LATTICE) + 1;
  const values = new Float32Array(nodesX * nodesY);
  for (let gy = 0; gy < nodesY; gy++) {
    for (let gx = 0; gx < nodesX; gx++) {
      const dx = gx * LATTICE * pixelSpacing[1];
      const dy = gy * LATTICE * pixelSpacing[0];
      values[gy * nodesX + gx] = field(
        origin[0] + dx * r[0] + dy * c[0],
        origin[1] + dx * r[1] + dy * c[1],
        origin[2] + dx * r[2] + dy * c[2],
      );
    }
  }
  return { values, nodesX, nodesY };
}

/** Bilinear interpolation of a lattice over the full pixel grid. */
function expandLattice(lattice: Lattice, columns: number, rows: number): Float32Array {
  const { values, nodesX, nodesY } = lattice;
  const out = new Float32Array(rows * columns);
  for (let j = 0; j < rows; j++) {
    const gy = (j / LATTICE) | 0;
    const fy = (j - gy * LATTICE) / LATTICE;
    const top = gy * nodesX;
    const bottom = Math.min(gy + 1, nodesY - 1) * nodesX;
    for (let i = 0; i < columns; i++) {
      const gx = (i / LATTICE) | 0;
      const fx = (i - gx * LATTICE) / LATTICE;
      const right = gx + 1 < nodesX ? gx + 1 : gx;
      const upper = values[top + gx] + fx * (values[top + right] - values[top + gx]);
      const lower = values[bottom + gx] + fx * (values[bottom + right] - values[bottom + gx]);
      out[j * columns + i] = upper + fy * (lower - upper);
    }
  }
  return out;
}

export function renderSlice(phantom: Phantom, geometry: SliceGeometry, appearance: SeriesAppearance, noiseRng: Random): Uint16Array {
  const { rows, columns } = geometry;
  const tissues = sliceTissues(phantom, geometry);
  const { contrast, textureStrength, intensityScale, noise, bias, texture } = appearance;

  const { centre, gradient: g, curvature } = bias;
  const gain = expandLattice(
    sampleLattice(geometry, (x, y, z) => {
      const px = (x - centre[0]) / 100;
      const py = (y - centre[1]) / 100;
      const pz = (z - centre[2]) / 100;
      return Math.exp(g[0] * px + g[1] * py + g[2] * pz + curvature * (px * px + py * py + pz * pz));
    }),
    columns,
    rows,
  );
  const grain = expandLattice(
    sampleLattice(geometry, (x, y, z) => {
      let sum = 0;
      for (const o of texture.octaves) sum += o.amplitude * valueNoise(texture.seed, x / o.cellMm, y / o.cellMm, z / o.cellMm);
      return sum;
    }),
    columns,
    rows,
  );

  const image = new Float32Array(rows * columns);
  for (let p = 0; p < image.length; p++) {
    const t = tissues[p];
    image[p] = contrast[t] * (1 + textureStrength[t] * grain[p]);
  }
  blur121(image, columns, rows);

  const out = new Uint16Array(rows * columns);
  const random = new Uint32Array(rows * columns);
  noiseRng.fillUint32(random);
  for (let p = 0; p < out.length; p++) {
    const signal = image[p] * gain[p];
    // Magnitude of a complex signal with Gaussian noise on both channels: Rician, as MR magnitude images are.
    const bits = random[p];
    const re = signal + noise * NORMAL_TABLE[bits >>> 16];
    const im = noise * NORMAL_TABLE[bits & 0xffff];
    const value = Math.round(Math.sqrt(re * re + im * im) * intensityScale);
    out[p] = value > MAX_PIXEL_VALUE ? MAX_PIXEL_VALUE : value;
  }
  return out;
}
