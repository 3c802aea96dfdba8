// The true label coordinates of a planned study, following the RSNA conventions: spinal canal stenosis on the
// Sagittal T2/STIR slice nearest the canal centre at the disc; neural foraminal narrowing on the Sagittal T1 slice
// nearest the foramen of that side; subarticular stenosis on the axial slice nearest the lateral recess at the disc.
// x, y are the phantom's landmark projected into that instance's pixel grid.
import { CONDITIONS, CONDITION_INFO, LEVELS, type Condition, type Level } from '../domain/vocabulary.js';
import { DISC_OF_LEVEL, SIDE_LEFT, SIDE_RIGHT, SIDE_SIGN } from './anatomy.js';
import type { SeriesPlan, SynthSeriesType } from './acquisition.js';
import { spineToPatient, type Phantom } from './phantom.js';
import { projectToSlice } from './slice-geometry.js';
import type { Vec3 } from './vec.js';

export interface LabelCoordinate {
  readonly seriesId: number;
  readonly instanceNumber: number;
  readonly condition: Condition;
  readonly level: Level;
  /** Pixel coordinates in the instance (x = column, y = row). */
  readonly x: number;
  readonly y: number;
  /** The landmark in patient space (LPS, mm) and its distance from the instance's plane. */
  readonly patient: Vec3;
  readonly distanceMm: number;
}

const SERIES_OF: Readonly<Record<'spinal' | 'foraminal' | 'subarticular', SynthSeriesType>> = {
  spinal: 'SAGITTAL_T2_STIR',
  foraminal: 'SAGITTAL_T1',
  subarticular: 'AXIAL_T2',
};

/** Patient-space landmark of a label: the structure its severity describes, at its disc. */
export function labelLandmark(phantom: Phantom, condition: Condition, level: Level): Vec3 {
  const a = phantom.anatomy;
  const disc = DISC_OF_LEVEL[level];
  const info = CONDITION_INFO[condition];
  const sign = SIDE_SIGN[info.side === 'RIGHT' ? SIDE_RIGHT : SIDE_LEFT];
  switch (info.core) {
    case 'spinal':
      return spineToPatient(phantom, 0, a.canalCentreA, a.discCentre[disc]);
    case 'foraminal':
      return spineToPatient(phantom, sign * a.foramenX[disc], a.foramenA, a.discCentre[disc] + a.foramenAboveDisc);
    case 'subarticular':
      return spineToPatient(phantom, sign * a.recessX, a.recessA, a.discCentre[disc]);
  }
}

export function labelCoordinates(phantom: Phantom, series: readonly SeriesPlan[]): LabelCoordinate[] {
  const out: LabelCoordinate[] = [];
  for (const condition of CONDITIONS) {
    const type = SERIES_OF[CONDITION_INFO[condition].core];
    const plan = series.find((s) => s.seriesType === type);
    if (!plan) throw new Error(`study has no ${type} series`);
    for (const level of LEVELS) {
      const landmark = labelLandmark(phantom, condition, level);
      let best = plan.slices[0];
      let bestProjection = projectToSlice(best.geometry, landmark);
      for (const slice of plan.slices) {
        const projection = projectToSlice(slice.geometry, landmark);
        if (Math.abs(projection.distance) < Math.abs(bestProjection.distance)) {
          best = slice;
          bestProjection = projection;
        }
      }
      out.push({
        seriesId: plan.seriesId,
        instanceNumber: best.instanceNumber,
        condition,
        level,
        x: bestProjection.x,
        y: bestProjection.y,
        patient: landmark,
        distanceMm: bestProjection.distance,
      });
    }
  }
  return out;
}
