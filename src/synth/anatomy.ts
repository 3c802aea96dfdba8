// The per-study anatomy of the phantom: where each vertebra and disc lies along the spine, the sizes of bodies,
// canal and foramina, and how each label's grade narrows its structure. All lengths in mm, in spine coordinates
// (see spine-curve.ts): x lateral (+ = patient left), a posterior distance from the canal centreline, s arc length
// (+ = superior, 0 at the L3/L4 disc).
import { LEVELS, LEVEL_INFO, type Condition, type Level } from '../domain/vocabulary.js';
import type { CurveKnot } from './spine-curve.js';
import type { Random } from './random.js';
import type { StudyGrades } from './severity.js';

export const VERTEBRAE = ['T11', 'T12', 'L1', 'L2', 'L3', 'L4', 'L5', 'S1', 'S2', 'S3', 'S4'] as const;
/** Disc j lies between vertebra j and vertebra j + 1; the labelled levels L1/L2..L5/S1 are discs 2..6. */
export const DISC_OF_LEVEL: Readonly<Record<Level, number>> = { L1_L2: 2, L2_L3: 3, L3_L4: 4, L4_L5: 5, L5_S1: 6 };
const FIRST_SACRAL = 7;
export const SIDE_LEFT = 0;
export const SIDE_RIGHT = 1;
/** Sign of patient x for each side index (DICOM LPS: +x is the patient's left). */
export const SIDE_SIGN = [1, -1] as const;

const BODY_HEIGHT = [22, 24, 26, 27, 28, 28, 27, 28, 22, 18, 15];
const DISC_HEIGHT = [6, 7, 8, 9, 10, 11, 10, 2, 1.5, 1.2];
const BODY_DEPTH = [28, 30, 32, 33, 34, 35, 35, 34, 28, 22, 16];
const BODY_WIDTH = [36, 38, 42, 44, 46, 48, 50, 48, 40, 30, 22];

export interface SpineAnatomy {
  readonly vertebraCentre: Float64Array;
  readonly vertebraHalfHeight: Float64Array;
  readonly bodyHalfDepth: Float64Array;
  readonly bodyHalfWidth: Float64Array;
  readonly discCentre: Float64Array;
  readonly discHalfHeight: Float64Array;
  /** a of the posterior wall of bodies and discs. */
  readonly posteriorWall: number;
  /** Bony canal: ellipse centred on (0, canalCentreA), half-axes (canalHalfWidth, canalHalfDepth). */
  readonly canalCentreA: number;
  readonly canalHalfWidth: number;
  readonly canalHalfDepth: number;
  /** Dural sac inside the canal: centre a and half-axes (fat lies behind it). */
  readonly sacCentreA: number;
  readonly sacHalfWidth: number;
  readonly sacHalfDepth: number;
  /** Lateral recess (subarticular zone) lobe centre |x| and a, and its half-axes. */
  readonly recessX: number;
  readonly recessA: number;
  readonly recessHalfWidth: number;
  readonly recessHalfDepth: number;
  /** Neural foramen centre: a and height above the disc centre; normal half-axes (a, s); lateral centre per disc. */
  readonly foramenA: number;
  readonly foramenAboveDisc: number;
  readonly foramenHalfDepth: number;
  readonly foramenHalfHeight: number;
  readonly foramenX: Float64Array;
  /** s below which the dural sac has ended (CSF gives way to fat), and above which the conus is present. */
  readonly sacEndS: number;
  readonly conusTipS: number;
  /** Per disc: posterior central bulge (mm), ligamentum flavum thickening (mm), nucleus degeneration 0..1. */
  readonly centralBulge: Float64Array;
  readonly flavumThickening: Float64Array;
  readonly nucleusDegeneration: Float64Array;
  /** Per disc x side (index disc * 2 + side): facet intrusion radius into the lateral recess, paracentral bulge,
   * and the foramen's remaining fraction (1 = open, small = obliterated). */
  readonly recessFacetRadius: Float64Array;
  readonly paracentralBulge: Float64Array;
  readonly foramenOpen: Float64Array;
  /** Skin outline in body coordinates: ellipse in (x, y), centre y, half-axes; subcutaneous fat thickness. */
  readonly skinCentreY: number;
  readonly skinHalfWidth: number;
  readonly skinHalfDepth: number;
  readonly subcutaneousFat: number;
  readonly psoasGrowth: number;
  readonly lordosis: readonly CurveKnot[];
}

function grade(grades: StudyGrades, condition: Condition, level: Level): number {
  return grades[condition][level].grade;
}

export function drawAnatomy(rng: Random, grades: StudyGrades): SpineAnatomy {
  const size = rng.uniform(0.92, 1.08);
  const nv = VERTEBRAE.length;
  const nd = nv - 1;
  const centralBulge = new Float64Array(nd);
  const flavumThickening = new Float64Array(nd);
  const nucleusDegeneration = new Float64Array(nd);
  const recessFacetRadius = new Float64Array(nd * 2);
  const paracentralBulge = new Float64Array(nd * 2);
  const foramenOpen = new Float64Array(nd * 2).fill(1);
  const foramenX = new Float64Array(nd);

  // Unlabelled discs (thoracolumbar, sacral remnants) get healthy anatomy with a little variation.
  for (let j = 0; j < nd; j++) {
    centralBulge[j] = rng.uniform(0.5, 1.5);
    flavumThickening[j] = rng.uniform(0, 0.5);
    recessFacetRadius[j * 2] = rng.uniform(3, 4);
    recessFacetRadius[j * 2 + 1] = rng.uniform(3, 4);
    foramenX[j] = 13 + 0.5 * j;
  }
  for (const level of LEVELS) {
    const j = DISC_OF_LEVEL[level];
    const spinal = grade(grades, 'SPINAL_CANAL_STENOSIS', level);
    // A disc bulge and a thickened ligamentum flavum squeeze the sac from the front and the back.
    centralBulge[j] = 0.8 + 7.7 * spinal;
    flavumThickening[j] = 5 * spinal;
    // Index 0 is SIDE_LEFT, 1 is SIDE_RIGHT.
    const sides: readonly [Condition, Condition][] = [
      ['LEFT_SUBARTICULAR_STENOSIS', 'LEFT_NEURAL_FORAMINAL_NARROWING'],
      ['RIGHT_SUBARTICULAR_STENOSIS', 'RIGHT_NEURAL_FORAMINAL_NARROWING'],
    ];
    let worst = spinal;
    sides.forEach(([subarticular, foraminal], side) => {
      const g = grade(grades, subarticular, level);
      recessFacetRadius[j * 2 + side] = 3.5 + 8 * g;
      paracentralBulge[j * 2 + side] = 2.5 * g;
      const f = grade(grades, foraminal, level);
      foramenOpen[j * 2 + side] = 1 - 0.85 * f;
      worst = Math.max(worst, g, f);
    });
    // Degenerated discs lose water (dark on T2) and height; it goes with the stenoses at the same level.
    nucleusDegeneration[j] = Math.min(1, Math.max(0, worst + rng.uniform(-0.15, 0.15)));
    foramenX[j] = LEVEL_INFO[level].sagT1OffsetMm + rng.uniform(-1, 1);
  }

  const vertebraHalfHeight = new Float64Array(nv);
  const bodyHalfDepth = new Float64Array(nv);
  const bodyHalfWidth = new Float64Array(nv);
  for (let k = 0; k < nv; k++) {
    vertebraHalfHeight[k] = (BODY_HEIGHT[k] * size * rng.uniform(0.96, 1.04)) / 2;
    bodyHalfDepth[k] = (BODY_DEPTH[k] * size * rng.uniform(0.96, 1.04)) / 2;
    bodyHalfWidth[k] = (BODY_WIDTH[k] * size * rng.uniform(0.96, 1.04)) / 2;
  }
  const discHalfHeight = new Float64Array(nd);
  for (let j = 0; j < nd; j++) {
    const loss = j < FIRST_SACRAL ? 0.3 * nucleusDegeneration[j] : 0;
    discHalfHeight[j] = (DISC_HEIGHT[j] * size * rng.uniform(0.9, 1.1) * (1 - loss)) / 2;
  }
  // Stack the segments from the top, then shift so the L3/L4 disc centre sits at s = 0.
  const vertebraCentre = new Float64Array(nv);
  const discCentre = new Float64Array(nd);
  let s = 0;
  for (let k = 0; k < nv; k++) {
    s -= vertebraHalfHeight[k];
    vertebraCentre[k] = s;
    s -= vertebraHalfHeight[k];
    if (k < nd) {
      s -= discHalfHeight[k];
      discCentre[k] = s;
      s -= discHalfHeight[k];
    }
  }
  const shift = -discCentre[DISC_OF_LEVEL.L3_L4];
  for (let k = 0; k < nv; k++) vertebraCentre[k] += shift;
  for (let j = 0; j < nd; j++) discCentre[j] += shift;

  const lordosisScale = rng.uniform(0.75, 1.25);
  const tilt = rng.uniform(-4, 4);
  const angles = [-10, -7, -2, 5, 14, 25];
  const lordosis: CurveKnot[] = angles.map((deg, i) => ({
    s: discCentre[i + 1],
    thetaDeg: tilt + deg * lordosisScale + rng.uniform(-1.5, 1.5),
  }));
  lordosis.push({ s: vertebraCentre[FIRST_SACRAL], thetaDeg: tilt + 35 * lordosisScale });

  const canalHalfWidth = 11.5 * size * rng.uniform(0.95, 1.05);
  const canalHalfDepth = 8.5 * size * rng.uniform(0.95, 1.05);
  const skinHalfDepth = rng.uniform(100, 125);
  return {
    vertebraCentre,
    vertebraHalfHeight,
    bodyHalfDepth,
    bodyHalfWidth,
    discCentre,
    discHalfHeight,
    posteriorWall: -0.5 - canalHalfDepth,
    canalCentreA: -0.5,
    canalHalfWidth,
    canalHalfDepth,
    sacCentreA: -1.3,
    sacHalfWidth: canalHalfWidth - 2,
    sacHalfDepth: canalHalfDepth - 2.5,
    recessX: canalHalfWidth - 1.5,
    recessA: -0.5 - canalHalfDepth + 3.5,
    recessHalfWidth: 3.8,
    recessHalfDepth: 3.0,
    foramenA: -0.5 - canalHalfDepth + 5.5,
    foramenAboveDisc: 4,
    foramenHalfDepth: 5.5,
    foramenHalfHeight: 9,
    foramenX,
    sacEndS: vertebraCentre[FIRST_SACRAL + 1] + rng.uniform(0, 8),
    conusTipS: discCentre[DISC_OF_LEVEL.L1_L2] + rng.uniform(4, 25),
    centralBulge,
    flavumThickening,
    nucleusDegeneration,
    recessFacetRadius,
    paracentralBulge,
    foramenOpen,
    skinCentreY: rng.uniform(62, 85) - skinHalfDepth,
    skinHalfWidth: rng.uniform(145, 180),
    skinHalfDepth,
    subcutaneousFat: rng.uniform(8, 30),
    psoasGrowth: rng.uniform(0.8, 1.2),
    lordosis,
  };
}
