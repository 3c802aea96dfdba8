// A study as the tensor exporter sees it: the pipeline's StudyInput plus its graded labels and the label
// coordinates (RSNA x, y in the pixel grid of the instance the rater marked).
import type { Condition, Level, Severity } from '../../domain/vocabulary.js';
import type { StudyInput } from '../../inference/index.js';

export interface LabelGradeRow {
  readonly condition: Condition;
  readonly level: Level;
  readonly severity: Severity;
}

export interface LabelPoint {
  readonly condition: Condition;
  readonly level: Level;
  /** The series id as the StudyInput's stacks name it. */
  readonly seriesId: string;
  readonly sopInstanceUid: string;
  /** Column and row in that instance's own pixel grid. */
  readonly x: number;
  readonly y: number;
}

export interface LabelledStudy {
  readonly input: StudyInput;
  readonly grades: readonly LabelGradeRow[];
  readonly points: readonly LabelPoint[];
}
