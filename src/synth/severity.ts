// Severity labels for a synthetic study: each of the 25 (condition, level) labels drawn independently at roughly the
// RSNA 2024 prevalence, more severe at the lower levels, plus a continuous grade in [0, 1] that drives how much the
// phantom's anatomy is narrowed. Grades of different classes are kept apart (gaps between the ranges), so the class
// is recoverable from the image.
import {
  CONDITIONS,
  CONDITION_INFO,
  LEVELS,
  SEVERITIES,
  type Condition,
  type CoreCondition,
  type Level,
  type Severity,
} from '../domain/vocabulary.js';
import type { Random } from './random.js';

/** [normal/mild, moderate, severe] probabilities per level L1/L2 .. L5/S1. Their level means are the RSNA rates:
 * spinal 85/9/6, foraminal 70/23/7, subarticular 65/25/10 (percent). */
export const PREVALENCE: Readonly<Record<CoreCondition, readonly (readonly [number, number, number])[]>> = {
  spinal: [
    [0.95, 0.03, 0.02],
    [0.9, 0.06, 0.04],
    [0.83, 0.1, 0.07],
    [0.72, 0.16, 0.12],
    [0.85, 0.1, 0.05],
  ],
  foraminal: [
    [0.85, 0.12, 0.03],
    [0.78, 0.18, 0.04],
    [0.7, 0.24, 0.06],
    [0.6, 0.3, 0.1],
    [0.57, 0.31, 0.12],
  ],
  subarticular: [
    [0.85, 0.11, 0.04],
    [0.74, 0.19, 0.07],
    [0.62, 0.27, 0.11],
    [0.48, 0.35, 0.17],
    [0.56, 0.33, 0.11],
  ],
};

/** Grade range [min, max) of each severity class. */
export const GRADE_RANGE: Readonly<Record<Severity, readonly [number, number]>> = {
  NORMAL_MILD: [0, 0.3],
  MODERATE: [0.45, 0.65],
  SEVERE: [0.78, 1],
};

export interface LabelGrade {
  readonly severity: Severity;
  /** 0 = pristine anatomy, 1 = the structure obliterated. */
  readonly grade: number;
}

export type StudyGrades = Readonly<Record<Condition, Readonly<Record<Level, LabelGrade>>>>;

/** Forces chosen labels to a severity (tests and demos); the grade is still drawn within that class. */
export type SeverityOverrides = Partial<Record<Condition, Partial<Record<Level, Severity>>>>;

export function gradeWithin(severity: Severity, rng: Random): LabelGrade {
  const [min, max] = GRADE_RANGE[severity];
  return { severity, grade: rng.uniform(min, max) };
}

export function drawStudyGrades(rng: Random, overrides: SeverityOverrides = {}): StudyGrades {
  const result = {} as Record<Condition, Record<Level, LabelGrade>>;
  for (const condition of CONDITIONS) {
    const table = PREVALENCE[CONDITION_INFO[condition].core];
    const byLevel = {} as Record<Level, LabelGrade>;
    LEVELS.forEach((level, i) => {
      // Always consume the same draws, so an override changes only its own label.
      const drawn = SEVERITIES[rng.pick(table[i])];
      const severity = overrides[condition]?.[level] ?? drawn;
      byLevel[level] = gradeWithin(severity, rng);
    });
    result[condition] = byLevel;
  }
  return result;
}
