// Random but reproducible pipeline results and labels for tests that write predictions through the result writer: a
// seeded linear congruential generator, 25 (or fewer) prediction rows and 25 labels a study drawn from it.
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity } from '../../src/domain/vocabulary.js';
import type { PredictionRow, StudyResult } from '../../src/inference/types.js';

/** Numerical Recipes' LCG: uniform in [0, 1), the same sequence for the same seed. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface PredictionDraw {
  /** Default: every condition. */
  readonly conditions?: readonly Condition[];
  /** Each class's draw is scaled by this before normalising (default 1, 1, 1). */
  readonly scale?: readonly [number, number, number];
  /**
   * Share of rows that are exactly (1, 0, 0), so the metric's clip matters (default 0). When above 0, every row
   * takes one draw to decide first.
   */
  readonly certainShare?: number;
}

/** One row per condition (in order) and level, probabilities summing to 1. */
export function randomPredictions(random: () => number, draw: PredictionDraw = {}): PredictionRow[] {
  const [a, b, c] = draw.scale ?? [1, 1, 1];
  const certain = draw.certainShare ?? 0;
  return (draw.conditions ?? CONDITIONS).flatMap((condition) =>
    LEVELS.map((level) => {
      const raw = certain > 0 && random() < certain ? [1, 0, 0] : [random() * a, random() * b, random() * c];
      const total = raw[0] + raw[1] + raw[2];
      return {
        condition,
        level,
        normalMild: raw[0] / total,
        moderate: raw[1] / total,
        severe: raw[2] / total,
        fallbackCodes: [],
        modelsUsed: 1,
        modelsExpected: 1,
      };
    }),
  );
}

/** A pipeline result holding only predictions (no keypoints, warnings or timings of note). */
export function predictionsOnlyResult(studyId: string, predictions: readonly PredictionRow[]): StudyResult {
  return {
    studyId,
    predictions,
    keypoints: [],
    missingKeypoints: [],
    warnings: [],
    timings: { stagesMs: {}, wallMs: 0, studiesInBatch: 1 },
  };
}

export interface RandomLabel {
  readonly studyExternalId: string;
  readonly condition: Condition;
  readonly level: Level;
  readonly severity: Severity;
}

/** 25 labels per study (every condition and level), each class equally likely: the rows upsertLabels takes. */
export function randomLabelRows(random: () => number, externalIds: readonly string[]): RandomLabel[] {
  return externalIds.flatMap((studyExternalId) =>
    CONDITIONS.flatMap((condition) =>
      LEVELS.map((level) => ({ studyExternalId, condition, level, severity: SEVERITIES[Math.floor(random() * 3)] })),
    ),
  );
}
