// A small synthetic lumbar study with bright Gaussian spots at known places: Sag T2 and Sag T1 stacks and one
// axial stack per level (optionally tilted), all in consistent patient geometry. Pixels load lazily.
import type { ImageFrame, SliceGeometry, Vec3 } from '../../../../src/domain/image.js';
import { LEVELS, type Level, type SeriesType } from '../../../../src/domain/vocabulary.js';
import { pixelToPatient } from '../../../../src/dicom/geometry.js';
import type { SeriesStack, SliceRef } from '../../../../src/inference/stack.js';

export interface Spot {
  readonly x: number;
  readonly y: number;
  /** Default: the image's amplitude. */
  readonly amplitude?: number;
}

export function gaussianImage(
  rows: number,
  cols: number,
  spots: readonly Spot[],
  background = 100,
  amplitude = 1000,
  sigma = 1.5,
): Float32Array {
  const px = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = background + 0.1 * x + 0.05 * y; // a gentle gradient so no stack is flat
      for (const s of spots) v += (s.amplitude ?? amplitude) * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / (2 * sigma * sigma));
      px[y * cols + x] = v;
    }
  }
  return px;
}

interface SliceSpec {
  readonly geometry: SliceGeometry;
  readonly spots: readonly Spot[];
  readonly uid: string;
  readonly fail?: boolean;
}

// Rendering the spots is slow (an exp per pixel per spot); identical slices share one rendering.
const rendered = new Map<string, Float32Array>();
function render(s: SliceSpec): Float32Array {
  const key = JSON.stringify([s.geometry.rows, s.geometry.columns, s.spots]);
  let px = rendered.get(key);
  if (!px) {
    px = gaussianImage(s.geometry.rows, s.geometry.columns, s.spots);
    rendered.set(key, px);
  }
  return px;
}

function sliceRef(s: SliceSpec, instanceNumber: number, loads: { count: number }): SliceRef {
  return {
    sopInstanceUid: s.uid,
    instanceNumber,
    instanceId: `id-${s.uid}`,
    geometry: s.geometry,
    load: async (): Promise<ImageFrame> => {
      loads.count++;
      if (s.fail) throw new Error('truncated pixel data');
      // A fresh copy, as a decoder would return: callers may not share or mutate the cache.
      return { rows: s.geometry.rows, columns: s.geometry.columns, pixels: render(s).slice() };
    },
  };
}

/** Sagittal geometry: rows run head -> feet, columns anterior -> posterior; slice i at patient x = x0 + i * spacing. */
function sagittal(x: number, rows: number, cols: number, spacing: readonly [number, number]): SliceGeometry {
  return { rows, columns: cols, pixelSpacing: spacing, imagePositionPatient: [x, -60, 60], imageOrientationPatient: [0, 1, 0, 0, 0, -1] };
}

export interface SyntheticStudy {
  readonly stacks: SeriesStack[];
  /** Expected keypoints: source pixel and patient mm on the slice they lie on. */
  readonly sagT2: Record<Level, { pixel: Spot; patient: Vec3; sop: string }>;
  readonly sagT1: Record<'LEFT' | 'RIGHT', Record<Level, { pixel: Spot; patient: Vec3; sop: string }>>;
  readonly axial: Record<Level, Record<'LEFT' | 'RIGHT', { pixel: Spot; patient: Vec3; sop: string }>>;
  readonly loads: { count: number };
}

export interface SyntheticOptions {
  readonly withAxial?: boolean;
  readonly withSagT1?: boolean;
  /** Tilt of the axial stacks about the patient x axis, degrees. */
  readonly axialTiltDeg?: number;
  /** Slices whose load() rejects, by uid. */
  readonly failing?: readonly string[];
  /** Levels that get an axial stack (default all); the others have no axial slice near them. */
  readonly axialLevels?: readonly Level[];
  /** Extra tilt per level index, degrees (per-disc stacks at different angles). */
  readonly axialTiltPerLevelDeg?: number;
}

export function syntheticStudy(prefix: string, options: SyntheticOptions = {}): SyntheticStudy {
  const loads = { count: 0 };
  const failing = new Set(options.failing ?? []);
  const stacks: SeriesStack[] = [];
  const make = (spec: Omit<SliceSpec, 'fail'>): SliceSpec => ({ ...spec, fail: failing.has(spec.uid) });

  // Sag T2: 15 slices 3 mm apart, 180 x 128 px at 0.9 x 1.1 mm; spots on the middle slice (index 7), one per level,
  // far enough from the edges for a 50 mm ROI box to fit (the seed leaves a box that crosses the edge zero).
  const t2Spots = LEVELS.map((_, k) => ({ x: 50.3 + 5 * k, y: 30.4 + 30 * k }));
  const t2Slices = Array.from({ length: 15 }, (_, i) =>
    make({ geometry: sagittal(-21 + 3 * i, 180, 128, [0.9, 1.1]), spots: i === 7 ? t2Spots : [], uid: `${prefix}.t2.${i}` }),
  );
  const sagT2 = Object.fromEntries(
    LEVELS.map((l, k) => [
      l,
      { pixel: t2Spots[k], patient: pixelToPatient(t2Slices[7].geometry, t2Spots[k].x, t2Spots[k].y), sop: t2Slices[7].uid },
    ]),
  ) as SyntheticStudy['sagT2'];
  // Files listed right to left: the pipeline must order them itself.
  stacks.push({
    seriesId: `${prefix}-t2`,
    type: 'SAGITTAL_T2_STIR',
    slices: t2Slices.map((s, i) => sliceRef(s, 15 - i, loads)).reverse(),
    spacingBetweenSlices: 3,
  });

  // Sag T1: 15 slices 3.5 mm apart, 190 x 128 at 1 mm. 16.8 mm windows: left = slices 10-12 (centre 11), right = 1-3 (centre 2).
  const t1Spots = (side: 'LEFT' | 'RIGHT') => LEVELS.map((_, k) => ({ x: (side === 'LEFT' ? 40 : 70) + 3 * k + 0.2, y: 30.3 + 32 * k }));
  const t1Centre = { LEFT: 11, RIGHT: 2 } as const;
  const t1Slices = Array.from({ length: 15 }, (_, i) =>
    make({
      geometry: sagittal(-24.5 + 3.5 * i, 190, 128, [1, 1]),
      spots: i === t1Centre.LEFT ? t1Spots('LEFT') : i === t1Centre.RIGHT ? t1Spots('RIGHT') : [],
      uid: `${prefix}.t1.${i}`,
    }),
  );
  const t1Expect = (side: 'LEFT' | 'RIGHT') =>
    Object.fromEntries(
      LEVELS.map((l, k) => [
        l,
        {
          pixel: t1Spots(side)[k],
          patient: pixelToPatient(t1Slices[t1Centre[side]].geometry, t1Spots(side)[k].x, t1Spots(side)[k].y),
          sop: t1Slices[t1Centre[side]].uid,
        },
      ]),
    );
  const sagT1 = { LEFT: t1Expect('LEFT'), RIGHT: t1Expect('RIGHT') } as SyntheticStudy['sagT1'];
  if (options.withSagT1 !== false)
    stacks.push({
      seriesId: `${prefix}-t1`,
      type: 'SAGITTAL_T1',
      slices: t1Slices.map((s, i) => sliceRef(s, i + 1, loads)),
      spacingBetweenSlices: 3.5,
    });

  // Axial: one stack of 5 slices (4 mm apart, 128 x 128 at 0.8 mm) per level, centred on that level's Sag T2 point.
  // Each subarticular spot has a dimmer marker 12 px lateral to it (patient left = image right), so a mirrored
  // right-side crop looks like a left-side one.
  const axial = {} as SyntheticStudy['axial'];
  LEVELS.forEach((level, k) => {
    const tilt = (((options.axialTiltDeg ?? 0) + k * (options.axialTiltPerLevelDeg ?? 0)) * Math.PI) / 180;
    const row: Vec3 = [1, 0, 0];
    const col: Vec3 = [0, Math.cos(tilt), Math.sin(tilt)];
    const normal: Vec3 = [0, -Math.sin(tilt), Math.cos(tilt)];
    const c = sagT2[level].patient;
    const spots = { LEFT: { x: 84.25, y: 70.5 }, RIGHT: { x: 44.5, y: 70.25 } };
    const markers = [
      { x: 96.25, y: 70.5, amplitude: 400 },
      { x: 32.5, y: 70.25, amplitude: 400 },
    ];
    const slices = Array.from({ length: 5 }, (_, j) => {
      const d = (j - 2) * 4;
      const ipp: Vec3 = [0, 1, 2].map((a) => c[a] + d * normal[a] - 64 * 0.8 * row[a] - 64 * 0.8 * col[a]) as unknown as Vec3;
      const geometry: SliceGeometry = {
        rows: 128,
        columns: 128,
        pixelSpacing: [0.8, 0.8],
        imagePositionPatient: ipp,
        imageOrientationPatient: [...row, ...col],
      };
      return make({ geometry, spots: j === 2 ? [spots.LEFT, spots.RIGHT, ...markers] : [], uid: `${prefix}.ax.${level}.${j}` });
    });
    axial[level] = {
      LEFT: { pixel: spots.LEFT, patient: pixelToPatient(slices[2].geometry, spots.LEFT.x, spots.LEFT.y), sop: slices[2].uid },
      RIGHT: { pixel: spots.RIGHT, patient: pixelToPatient(slices[2].geometry, spots.RIGHT.x, spots.RIGHT.y), sop: slices[2].uid },
    };
    if (options.withAxial !== false && (options.axialLevels ?? LEVELS).includes(level))
      stacks.push({
        seriesId: `${prefix}-ax`,
        type: 'AXIAL_T2' as SeriesType,
        slices: slices.map((s, j) => sliceRef(s, k * 5 + j + 1, loads)),
        spacingBetweenSlices: 4,
      });
  });
  return { stacks, sagT2, sagT1, axial, loads };
}
