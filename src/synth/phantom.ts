// One study's phantom placed in patient space: anatomy in spine coordinates, the lordotic curve, and the
// patient's pose (a small rotation and an offset from the scanner's isocentre). Maps patient points to tissue.
import { drawAnatomy, type SpineAnatomy } from './anatomy.js';
import type { Random } from './random.js';
import type { StudyGrades } from './severity.js';
import { SpineCurve } from './spine-curve.js';
import { createTissueClassifier, TISSUE, type TissueClassifier } from './tissue.js';
import { add, mulMat, mulMatVec, mulTransposeVec, rotationX, rotationY, rotationZ, type Mat3, type Vec3 } from './vec.js';

export interface PatientPose {
  /** Body -> patient rotation. */
  readonly rotation: Mat3;
  /** Patient position of the body origin (the canal centre at the L3/L4 disc). */
  readonly translation: Vec3;
  /** Rotation angles, degrees: pitch about x, lean about y, twist about z. */
  readonly pitchDeg: number;
  readonly leanDeg: number;
  readonly twistDeg: number;
}

export interface Phantom {
  readonly anatomy: SpineAnatomy;
  readonly curve: SpineCurve;
  readonly pose: PatientPose;
  readonly classify: TissueClassifier;
}

export function drawPose(rng: Random): PatientPose {
  const pitchDeg = rng.uniform(-5, 5);
  const leanDeg = rng.uniform(-2, 2);
  const twistDeg = rng.uniform(-4, 4);
  return {
    rotation: mulMat(rotationZ(twistDeg), mulMat(rotationY(leanDeg), rotationX(pitchDeg))),
    translation: [rng.uniform(-6, 6), rng.uniform(20, 60), rng.uniform(-40, 40)],
    pitchDeg,
    leanDeg,
    twistDeg,
  };
}

export function createPhantom(rng: Random, grades: StudyGrades): Phantom {
  const anatomy = drawAnatomy(rng, grades);
  const pose = drawPose(rng);
  return { anatomy, pose, curve: new SpineCurve(anatomy.lordosis), classify: createTissueClassifier(anatomy) };
}

/** Patient (LPS, mm) position of spine point (x, a, s). */
export function spineToPatient(phantom: Phantom, x: number, a: number, s: number): Vec3 {
  return add(mulMatVec(phantom.pose.rotation, phantom.curve.toBody(x, a, s)), phantom.pose.translation);
}

/** Unit direction of the spine's axis (towards superior) at arc length s, in patient space. */
export function spineTangentPatient(phantom: Phantom, s: number): Vec3 {
  return mulMatVec(phantom.pose.rotation, phantom.curve.tangent(s));
}

/** Spine coordinates are smooth in space, so they are computed exactly on a coarse lattice (every CELL pixels) and
 * interpolated in between: the error is far below a pixel and the renderer skips Newton's method per pixel. */
const CELL = 8;

/**
 * Tissue ids of a regular grid in patient space: point (i, j) = origin + i * stepI + j * stepJ, row-major with
 * `columns` points per row. This is the renderer's inner loop.
 */
export function sampleTissueGrid(
  phantom: Phantom,
  origin: Vec3,
  stepI: Vec3,
  stepJ: Vec3,
  columns: number,
  rows: number,
  out: Uint8Array,
): void {
  const { rotation: m, translation: t } = phantom.pose;
  const { skinCentreY, skinHalfWidth, skinHalfDepth, subcutaneousFat } = phantom.anatomy;
  const innerW = skinHalfWidth - subcutaneousFat;
  const innerD = skinHalfDepth - subcutaneousFat;
  // The abdominal wall: a muscle layer inside the subcutaneous fat, in front of the back muscles.
  const wallW = innerW - 12;
  const wallD = innerD - 12;
  // Body coordinates are linear in (i, j): body = R^T (patient - t).
  const o: Vec3 = [origin[0] - t[0], origin[1] - t[1], origin[2] - t[2]];
  const bo = mulTransposeVec(m, o);
  const bi = mulTransposeVec(m, stepI);
  const bj = mulTransposeVec(m, stepJ);

  const nodesX = Math.ceil((columns - 1) / CELL) + 1;
  const nodesY = Math.ceil((rows - 1) / CELL) + 1;
  const nodeA = new Float64Array(nodesX * nodesY);
  const nodeS = new Float64Array(nodesX * nodesY);
  const spine = new Float64Array(2);
  for (let gy = 0; gy < nodesY; gy++) {
    let guess = bo[2] + gy * CELL * bj[2];
    for (let gx = 0; gx < nodesX; gx++) {
      const i = gx * CELL;
      const j = gy * CELL;
      phantom.curve.toSpine(bo[1] + i * bi[1] + j * bj[1], bo[2] + i * bi[2] + j * bj[2], guess, spine);
      guess = spine[1];
      nodeA[gy * nodesX + gx] = spine[0];
      nodeS[gy * nodesX + gx] = spine[1];
    }
  }

  const classify = phantom.classify;
  for (let j = 0; j < rows; j++) {
    const gy = (j / CELL) | 0;
    const fy = (j - gy * CELL) / CELL;
    const top = gy * nodesX;
    const bottom = Math.min(gy + 1, nodesY - 1) * nodesX;
    let bx = bo[0] + j * bj[0];
    let by = bo[1] + j * bj[1];
    for (let i = 0; i < columns; i++, bx += bi[0], by += bi[1]) {
      const sx = bx / skinHalfWidth;
      const sy = (by - skinCentreY) / skinHalfDepth;
      let tissue: number;
      if (sx * sx + sy * sy > 1) {
        tissue = TISSUE.AIR;
      } else {
        const fx = bx / innerW;
        const fy2 = (by - skinCentreY) / innerD;
        const wx = bx / wallW;
        const wy = (by - skinCentreY) / wallD;
        if (fx * fx + fy2 * fy2 > 1) {
          tissue = TISSUE.SUBCUTANEOUS_FAT;
        } else if (wx * wx + wy * wy > 1 && by < skinCentreY + 0.4 * skinHalfDepth) {
          tissue = TISSUE.MUSCLE;
        } else {
          const gx = (i / CELL) | 0;
          const u = (i - gx * CELL) / CELL;
          const left = gx;
          const right = gx + 1 < nodesX ? gx + 1 : gx;
          const aTop = nodeA[top + left] + u * (nodeA[top + right] - nodeA[top + left]);
          const aBottom = nodeA[bottom + left] + u * (nodeA[bottom + right] - nodeA[bottom + left]);
          const sTop = nodeS[top + left] + u * (nodeS[top + right] - nodeS[top + left]);
          const sBottom = nodeS[bottom + left] + u * (nodeS[bottom + right] - nodeS[bottom + left]);
          tissue = classify(bx, aTop + fy * (aBottom - aTop), sTop + fy * (sBottom - sTop));
        }
      }
      out[j * columns + i] = tissue;
    }
  }
}
