// The analytic phantom itself: its coordinate mapping, where the label landmarks fall, and how each label's
// severity narrows its structure (areas measured on the model, before any rendering).
import { describe, expect, it } from 'vitest';
import { LEVELS, type Level, type Severity } from '../../../src/domain/vocabulary.js';
import { DISC_OF_LEVEL } from '../../../src/synth/anatomy.js';
import { planStudy, type StudyPlan } from '../../../src/synth/study-plan.js';
import { SpineCurve } from '../../../src/synth/spine-curve.js';
import { TISSUE } from '../../../src/synth/tissue.js';
import type { SeverityOverrides } from '../../../src/synth/severity.js';

function plan(studyId: number, overrides: SeverityOverrides): StudyPlan {
  return planStudy({ seed: 3, studyId, seriesIds: { sagittalT1: 1, sagittalT2: 2, axialT2: 3 }, size: 128, patientNumber: 1, overrides });
}

function allLevels(severity: Severity): Partial<Record<Level, Severity>> {
  return Object.fromEntries(LEVELS.map((l) => [l, severity]));
}

function everything(severity: Severity): SeverityOverrides {
  return {
    SPINAL_CANAL_STENOSIS: allLevels(severity),
    LEFT_NEURAL_FORAMINAL_NARROWING: allLevels(severity),
    RIGHT_NEURAL_FORAMINAL_NARROWING: allLevels(severity),
    LEFT_SUBARTICULAR_STENOSIS: allLevels(severity),
    RIGHT_SUBARTICULAR_STENOSIS: allLevels(severity),
  };
}

/** Area (mm^2) of `tissue` in a rectangle of a plane through the phantom, sampled every 0.25 mm. */
function area(
  p: StudyPlan,
  tissue: number,
  point: (u: number, v: number) => [number, number, number],
  uRange: [number, number],
  vRange: [number, number],
): number {
  let count = 0;
  for (let u = uRange[0]; u <= uRange[1]; u += 0.25) {
    for (let v = vRange[0]; v <= vRange[1]; v += 0.25) if (p.phantom.classify(...point(u, v)) === tissue) count++;
  }
  return count / 16;
}

describe('spine coordinates', () => {
  it('map body points to (x, a, s) and back within a micrometre', () => {
    const curve = new SpineCurve([
      { s: 100, thetaDeg: -12 },
      { s: 0, thetaDeg: 5 },
      { s: -80, thetaDeg: 28 },
      { s: -100, thetaDeg: 40 },
    ]);
    const out = new Float64Array(2);
    for (const s of [-150, -95, -40, 0, 37.5, 120]) {
      for (const a of [-120, -30, -5, 0, 12, 60]) {
        const [, y, z] = curve.toBody(3, a, s);
        curve.toSpine(y, z, s + 20, out);
        expect(Math.abs(out[0] - a)).toBeLessThan(1e-3);
        expect(Math.abs(out[1] - s)).toBeLessThan(1e-3);
      }
    }
  });
});

describe('label landmarks in a healthy spine', () => {
  for (const studyId of [101, 102, 103]) {
    it(`fall on the canal, the foramina and the lateral recesses (study ${studyId})`, () => {
      const p = plan(studyId, everything('NORMAL_MILD'));
      const an = p.phantom.anatomy;
      for (const level of LEVELS) {
        const s = an.discCentre[DISC_OF_LEVEL[level]];
        const j = DISC_OF_LEVEL[level];
        expect(p.phantom.classify(0, an.canalCentreA, s)).toBe(TISSUE.CSF);
        for (const sign of [1, -1]) {
          expect(p.phantom.classify(sign * an.foramenX[j], an.foramenA, s + an.foramenAboveDisc)).toBe(TISSUE.FORAMEN_FAT);
          expect(p.phantom.classify(sign * an.recessX, an.recessA, s)).toBe(TISSUE.CSF);
        }
      }
    });
  }
});

describe('severity shapes the anatomy at its level and side', () => {
  const measure = (severity: Severity, studyId: number) => {
    const p = plan(studyId, {
      SPINAL_CANAL_STENOSIS: { L4_L5: severity },
      LEFT_NEURAL_FORAMINAL_NARROWING: { L4_L5: severity },
      RIGHT_SUBARTICULAR_STENOSIS: { L4_L5: severity },
    });
    const an = p.phantom.anatomy;
    const j = DISC_OF_LEVEL.L4_L5;
    const s = an.discCentre[j];
    return {
      canal: area(p, TISSUE.CSF, (x, a) => [x, a, s], [-15, 15], [-12, 10]),
      leftForamen: area(p, TISSUE.FORAMEN_FAT, (a, ss) => [an.foramenX[j], a, ss], [-14, 6], [s - 12, s + 18]),
      rightRecess: area(p, TISSUE.CSF, (x, a) => [x, a, s], [-16, -5], [an.recessA - 4, an.recessA + 4]),
      // Untouched by these labels: the right foramen and the left recess at the same level.
      rightForamen: area(p, TISSUE.FORAMEN_FAT, (a, ss) => [-an.foramenX[j], a, ss], [-14, 6], [s - 12, s + 18]),
    };
  };

  for (const studyId of [201, 202]) {
    it(`narrows canal, foramen and recess in step with the grade (study ${studyId})`, () => {
      const normal = measure('NORMAL_MILD', studyId);
      const moderate = measure('MODERATE', studyId);
      const severe = measure('SEVERE', studyId);
      expect(normal.canal).toBeGreaterThan(120);
      expect(moderate.canal / normal.canal).toBeLessThan(0.8);
      expect(severe.canal / normal.canal).toBeLessThan(0.4);
      expect(moderate.leftForamen / normal.leftForamen).toBeLessThan(0.6);
      expect(severe.leftForamen / normal.leftForamen).toBeLessThan(0.25);
      expect(moderate.rightRecess / normal.rightRecess).toBeLessThan(0.75);
      expect(severe.rightRecess / normal.rightRecess).toBeLessThan(0.1);
      // The other side's foramen keeps its size (only its disc's degeneration changes the disc height nearby).
      expect(Math.abs(severe.rightForamen - normal.rightForamen) / normal.rightForamen).toBeLessThan(0.1);
    });
  }
});
