// Plans where each synthetic image lies: a Sagittal T1 and a Sagittal T2/STIR stack ordered from the patient's right
// to left, and an Axial T2 series of short stacks, one per labelled disc, each tilted to the disc plane. Geometry is
// rounded to what the DICOM files will hold, so renderer, labels and readers all see the same numbers.
import type { SliceGeometry } from '../domain/image.js';
import { LEVELS, SERIES_DESCRIPTION } from '../domain/vocabulary.js';
import { DISC_OF_LEVEL } from './anatomy.js';
import type { Sequence } from './contrast.js';
import { roundToDecimalString } from './dicom-writer.js';
import { spineTangentPatient, spineToPatient, type Phantom } from './phantom.js';
import type { Random } from './random.js';
import { add, cross, dot, mulMatVec, normalize, orthogonalTo, rotationX, rotationY, rotationZ, scale, sub, type Vec3 } from './vec.js';

export type SynthSeriesType = 'SAGITTAL_T1' | 'SAGITTAL_T2_STIR' | 'AXIAL_T2';

export interface SlicePlan {
  readonly geometry: SliceGeometry;
  readonly instanceNumber: number;
  /** Index of the stack within its series (axial: the disc it goes through; sagittal: 0). */
  readonly stack: number;
  /** Position along the slice normal, mm (DICOM SliceLocation). */
  readonly sliceLocation: number;
}

export interface SeriesPlan {
  readonly seriesId: number;
  readonly seriesType: SynthSeriesType;
  readonly description: string;
  readonly sequence: Sequence;
  readonly seriesNumber: number;
  readonly sliceThickness: number;
  readonly spacingBetweenSlices: number;
  readonly repetitionTime: number;
  readonly echoTime: number;
  readonly slices: readonly SlicePlan[];
}

export interface SeriesIds {
  readonly sagittalT1: number;
  readonly sagittalT2: number;
  readonly axialT2: number;
}

const round = (n: number, decimals: number): number => roundToDecimalString(Number(n.toFixed(decimals)));
const roundVec = (v: Vec3, decimals: number): Vec3 => [round(v[0], decimals), round(v[1], decimals), round(v[2], decimals)];

function sliceThrough(centre: Vec3, row: Vec3, column: Vec3, size: number, pixelSpacing: number): SliceGeometry {
  const half = (size - 1) / 2;
  const position = sub(sub(centre, scale(row, half * pixelSpacing)), scale(column, half * pixelSpacing));
  const r = roundVec(row, 8);
  const c = roundVec(column, 8);
  return {
    rows: size,
    columns: size,
    pixelSpacing: [pixelSpacing, pixelSpacing],
    imagePositionPatient: roundVec(position, 5),
    imageOrientationPatient: [r[0], r[1], r[2], c[0], c[1], c[2]],
  };
}

function sliceLocation(geometry: SliceGeometry): number {
  const o = geometry.imageOrientationPatient;
  const normal = cross([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
  return round(dot(normal, geometry.imagePositionPatient), 5);
}

function planSagittal(
  phantom: Phantom,
  rng: Random,
  size: number,
  seriesId: number,
  seriesType: 'SAGITTAL_T1' | 'SAGITTAL_T2_STIR',
  sequence: Sequence,
  seriesNumber: number,
): SeriesPlan {
  const { anatomy, pose } = phantom;
  const count = rng.int(15, 19);
  const thickness = round(rng.uniform(3, 4), 2);
  const spacing = round(thickness + rng.uniform(0, 0.6), 2);
  const pixelSpacing = round(rng.uniform(210, 250) / size, 6);
  // Technologists angle sagittals to the spine's coronal lean, imperfectly; the patient's twist is not followed.
  const across = normalize(mulMatVec(rotationY(pose.leanDeg + rng.uniform(-1, 1)), mulMatVec(rotationZ(rng.uniform(-1, 1)), [1, 0, 0])));
  const row = orthogonalTo([0, 1, 0], across); // towards posterior
  const column = cross(row, across); // towards feet
  const middle = add(
    spineToPatient(phantom, 0, anatomy.posteriorWall - 12, anatomy.discCentre[DISC_OF_LEVEL.L3_L4]),
    add(scale(row, rng.uniform(-8, 8)), scale(column, rng.uniform(-10, 10))),
  );
  const midline = spineToPatient(phantom, 0, anatomy.canalCentreA, anatomy.discCentre[DISC_OF_LEVEL.L3_L4]);
  // Centre the stack on the patient's midline, give or take a millimetre and a half.
  const stackCentre = add(middle, scale(across, dot(sub(midline, middle), across) + rng.uniform(-1.5, 1.5)));
  const slices: SlicePlan[] = [];
  for (let k = 0; k < count; k++) {
    const centre = add(stackCentre, scale(across, (k - (count - 1) / 2) * spacing));
    const geometry = sliceThrough(centre, row, column, size, pixelSpacing);
    slices.push({ geometry, instanceNumber: k + 1, stack: 0, sliceLocation: sliceLocation(geometry) });
  }
  const t1 = sequence === 'T1';
  return {
    seriesId,
    seriesType,
    description: SERIES_DESCRIPTION[seriesType],
    sequence,
    seriesNumber,
    sliceThickness: thickness,
    spacingBetweenSlices: spacing,
    repetitionTime: round(t1 ? rng.uniform(400, 700) : sequence === 'STIR' ? rng.uniform(3000, 5000) : rng.uniform(2500, 4500), 1),
    echoTime: round(t1 ? rng.uniform(8, 14) : sequence === 'STIR' ? rng.uniform(40, 70) : rng.uniform(80, 120), 2),
    slices,
  };
}

function planAxial(phantom: Phantom, rng: Random, size: number, seriesId: number, seriesNumber: number): SeriesPlan {
  const { anatomy } = phantom;
  const thickness = round(rng.uniform(3.5, 4), 2);
  const spacing = round(thickness + rng.uniform(0, 0.5), 2);
  const pixelSpacing = round(rng.uniform(160, 220) / size, 6);
  const offsetX = rng.uniform(-6, 6);
  const offsetA = rng.uniform(-8, 8);
  const slices: SlicePlan[] = [];
  LEVELS.forEach((level, stack) => {
    const disc = anatomy.discCentre[DISC_OF_LEVEL[level]];
    // Each stack is planned on the sagittal to lie in the disc plane, to within a couple of degrees.
    const tangent = spineTangentPatient(phantom, disc);
    const normal = normalize(mulMatVec(rotationX(rng.uniform(-2.5, 2.5)), mulMatVec(rotationY(rng.uniform(-1.5, 1.5)), tangent)));
    const row = orthogonalTo([1, 0, 0], normal); // towards patient left
    const column = cross(normal, row); // towards posterior
    const centre = spineToPatient(phantom, offsetX, anatomy.posteriorWall - 8 + offsetA, disc);
    const shift = rng.uniform(-1, 1);
    const count = 3 + rng.pick([1, 3, 4, 2]); // 3 to 6 slices, mostly 4 or 5
    for (let i = 0; i < count; i++) {
      // Superior to inferior within a stack, stacks from L1/L2 down: instance numbers run head to foot.
      const along = ((count - 1) / 2 - i) * spacing + shift;
      const geometry = sliceThrough(add(centre, scale(normal, along)), row, column, size, pixelSpacing);
      slices.push({ geometry, instanceNumber: slices.length + 1, stack, sliceLocation: sliceLocation(geometry) });
    }
  });
  return {
    seriesId,
    seriesType: 'AXIAL_T2',
    description: SERIES_DESCRIPTION.AXIAL_T2,
    sequence: 'T2',
    seriesNumber,
    sliceThickness: thickness,
    spacingBetweenSlices: spacing,
    repetitionTime: round(rng.uniform(3000, 6000), 1),
    echoTime: round(rng.uniform(80, 120), 2),
    slices,
  };
}

/** The three series of a study, in the order the RSNA descriptions file lists them. */
export function planAcquisition(phantom: Phantom, rng: Random, size: number, ids: SeriesIds): SeriesPlan[] {
  const sagittalT2Sequence: Sequence = rng.next() < 0.25 ? 'STIR' : 'T2';
  return [
    planSagittal(phantom, rng, size, ids.sagittalT2, 'SAGITTAL_T2_STIR', sagittalT2Sequence, 2),
    planSagittal(phantom, rng, size, ids.sagittalT1, 'SAGITTAL_T1', 'T1', 3),
    planAxial(phantom, rng, size, ids.axialT2, 4),
  ];
}
