// Severity must be visible in the rendered images, where a model will look: the same synthetic patient is rendered
// with one label normal and then severe, and the bright tissue the label is about is counted around its landmark.
import { describe, expect, it } from 'vitest';
import type { Condition, Severity } from '../../../src/domain/vocabulary.js';
import { labelLandmark } from '../../../src/synth/labels.js';
import { Random } from '../../../src/synth/random.js';
import { renderSlice } from '../../../src/synth/render.js';
import { projectToSlice } from '../../../src/synth/slice-geometry.js';
import { planStudy, type StudyPlan } from '../../../src/synth/study-plan.js';

const L4_L5_NORMAL = {
  SPINAL_CANAL_STENOSIS: 'NORMAL_MILD',
  LEFT_NEURAL_FORAMINAL_NARROWING: 'NORMAL_MILD',
  RIGHT_NEURAL_FORAMINAL_NARROWING: 'NORMAL_MILD',
  LEFT_SUBARTICULAR_STENOSIS: 'NORMAL_MILD',
  RIGHT_SUBARTICULAR_STENOSIS: 'NORMAL_MILD',
} as const satisfies Record<Condition, Severity>;

function planWith(studyId: number, condition: Condition, severity: Severity): StudyPlan {
  const levels = Object.fromEntries(Object.entries(L4_L5_NORMAL).map(([c, s]) => [c, { L4_L5: c === condition ? severity : s }]));
  return planStudy({
    seed: 77,
    studyId,
    seriesIds: { sagittalT1: 1, sagittalT2: 2, axialT2: 3 },
    size: 256,
    patientNumber: 1,
    overrides: levels,
  });
}

/** Renders the instance the CSV names for (condition, L4/L5) and counts pixels above `threshold` (or above `fraction`
 * of the window's 99th percentile when not given) within `radiusMm` of `around`'s landmark in that image. */
function brightPixels(
  plan: StudyPlan,
  condition: Condition,
  around: Condition,
  radiusMm: number,
  threshold?: number,
  fraction = 0.7,
): { count: number; threshold: number } {
  const label = plan.labelCoordinates.find((l) => l.condition === condition && l.level === 'L4_L5')!;
  const series = plan.series.find((s) => s.seriesId === label.seriesId)!;
  const slice = series.slices.find((s) => s.instanceNumber === label.instanceNumber)!;
  const pixels = renderSlice(plan.phantom, slice.geometry, plan.appearance.get(series.seriesId)!, new Random('noise', 1));
  const centre = projectToSlice(slice.geometry, labelLandmark(plan.phantom, around, 'L4_L5'));
  const spacing = slice.geometry.pixelSpacing[0];
  const r = radiusMm / spacing;
  const inside: number[] = [];
  for (let y = Math.floor(centre.y - r); y <= Math.ceil(centre.y + r); y++) {
    for (let x = Math.floor(centre.x - r); x <= Math.ceil(centre.x + r); x++) {
      if ((x - centre.x) ** 2 + (y - centre.y) ** 2 <= r * r) inside.push(pixels[y * slice.geometry.columns + x]);
    }
  }
  const level = threshold ?? fraction * [...inside].sort((a, b) => a - b)[Math.floor(0.99 * inside.length)];
  return { count: inside.filter((v) => v > level).length, threshold: level };
}

describe('severity on the rendered images (L4/L5)', () => {
  for (const studyId of [31, 32, 33]) {
    it(`spinal canal stenosis shrinks the CSF of the canal on the axial slice (study ${studyId})`, () => {
      // CSF is the brightest tissue on T2 (and STIR); a healthy nucleus comes next, hence the high cut.
      const c = 'SPINAL_CANAL_STENOSIS';
      // Within 7 mm of the canal centre: the central canal, not the lateral recesses (graded separately).
      const normal = brightPixels(planWith(studyId, c, 'NORMAL_MILD'), 'LEFT_SUBARTICULAR_STENOSIS', c, 7, undefined, 0.8);
      const severe = brightPixels(planWith(studyId, c, 'SEVERE'), 'LEFT_SUBARTICULAR_STENOSIS', c, 7, normal.threshold);
      const moderate = brightPixels(planWith(studyId, c, 'MODERATE'), 'LEFT_SUBARTICULAR_STENOSIS', c, 7, normal.threshold);
      expect(normal.count).toBeGreaterThan(100);
      expect(moderate.count).toBeLessThan(0.85 * normal.count);
      expect(severe.count).toBeLessThan(0.4 * normal.count);
      expect(severe.count).toBeLessThan(moderate.count);
    });

    it(`neural foraminal narrowing removes the foraminal fat on Sag T1 (study ${studyId})`, () => {
      const c = 'LEFT_NEURAL_FORAMINAL_NARROWING';
      // Fat is the brightest tissue on T1; marrow around the foramen is not far below it, hence the high cut.
      const normal = brightPixels(planWith(studyId, c, 'NORMAL_MILD'), c, c, 7, undefined, 0.85);
      const severe = brightPixels(planWith(studyId, c, 'SEVERE'), c, c, 7, normal.threshold);
      expect(normal.count).toBeGreaterThan(40);
      expect(severe.count).toBeLessThan(0.3 * normal.count);
    });

    it(`subarticular stenosis closes its lateral recess and leaves the other side open (study ${studyId})`, () => {
      const c = 'RIGHT_SUBARTICULAR_STENOSIS';
      const normal = brightPixels(planWith(studyId, c, 'NORMAL_MILD'), c, c, 4);
      const severe = brightPixels(planWith(studyId, c, 'SEVERE'), c, c, 4, normal.threshold);
      expect(normal.count).toBeGreaterThan(15);
      expect(severe.count).toBeLessThan(0.15 * normal.count);
      const otherNormal = brightPixels(planWith(studyId, c, 'NORMAL_MILD'), c, 'LEFT_SUBARTICULAR_STENOSIS', 4);
      const otherSevere = brightPixels(planWith(studyId, c, 'SEVERE'), c, 'LEFT_SUBARTICULAR_STENOSIS', 4, otherNormal.threshold);
      expect(otherSevere.count).toBeGreaterThan(0.7 * otherNormal.count);
    });
  }
});
