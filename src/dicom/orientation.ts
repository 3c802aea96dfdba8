// Plane orientation from ImageOrientationPatient, by the slice normal's dominant patient axis (LPS):
// normal mostly along x (left-right) -> SAGITTAL, y (anterior-posterior) -> CORONAL, z (head-foot) -> AXIAL.
//
// Threshold: a plane is OBLIQUE when its normal is more than 40 degrees away from the nearest patient axis
// (|dominant component| < cos 40 deg ~ 0.766). Lumbar axial stacks are tilted to lie parallel to each disc, often
// by 20-35 degrees at L5/S1, and must still count as axial; 40 degrees keeps them axial while a plane half-way
// between two axes (45 degrees or more) is honestly oblique.

import type { Vec3 } from '../domain/image.js';
import { cross, normalize } from './vec3.js';

export type PlaneOrientation = 'SAGITTAL' | 'CORONAL' | 'AXIAL' | 'OBLIQUE';

export const DEFAULT_OBLIQUE_ABOVE_DEG = 40;

export function classifyOrientation(iop: readonly number[], obliqueAboveDeg = DEFAULT_OBLIQUE_ABOVE_DEG): PlaneOrientation {
  if (iop.length !== 6) throw new RangeError(`ImageOrientationPatient needs 6 values, got ${iop.length}`);
  const normal = normalize(cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]));
  return classifyNormal(normal, obliqueAboveDeg);
}

export function classifyNormal(normal: Vec3, obliqueAboveDeg = DEFAULT_OBLIQUE_ABOVE_DEG): PlaneOrientation {
  const abs = normal.map(Math.abs);
  const axis = abs[0] >= abs[1] && abs[0] >= abs[2] ? 0 : abs[1] >= abs[2] ? 1 : 2;
  if (abs[axis] < Math.cos((obliqueAboveDeg * Math.PI) / 180)) return 'OBLIQUE';
  return (['SAGITTAL', 'CORONAL', 'AXIAL'] as const)[axis];
}
