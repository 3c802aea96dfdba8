import { CONDITION_INFO, LEVEL_INFO, type Condition, type Level, type Severity } from '../domain/vocabulary.js';
import type { CohortSummaryResult } from '../services/cohort.service.js';
import type { EvaluationResult } from '../services/evaluation.service.js';

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`.padStart(4);

/** condition x level rows, each with predicted and labelled normal/mild, moderate, severe shares. */
export function formatCohortTable(predicted: CohortSummaryResult, labelled: CohortSummaryResult): string {
  const cell = (s: CohortSummaryResult, c: Condition, l: Level, v: Severity): number =>
    s.cells.find((x) => x.condition === c && x.level === l && x.severity === v)?.fraction ?? 0;
  const lines = [
    `cohort severity over ${predicted.studyCount} studies (share of studies: predicted | labelled)`,
    `${'condition'.padEnd(34)} ${'level'.padEnd(6)}  ${'N/M'.padStart(4)} ${'Mod'.padStart(4)} ${'Sev'.padStart(4)} | ${'N/M'.padStart(4)} ${'Mod'.padStart(4)} ${'Sev'.padStart(4)}`,
  ];
  for (const c of Object.keys(CONDITION_INFO) as Condition[]) {
    for (const l of Object.keys(LEVEL_INFO) as Level[]) {
      const p = (['NORMAL_MILD', 'MODERATE', 'SEVERE'] as const).map((v) => pct(cell(predicted, c, l, v))).join(' ');
      const g = (['NORMAL_MILD', 'MODERATE', 'SEVERE'] as const).map((v) => pct(cell(labelled, c, l, v))).join(' ');
      lines.push(`${CONDITION_INFO[c].key.padEnd(34)} ${LEVEL_INFO[l].csvName.padEnd(6)}  ${p} | ${g}`);
    }
  }
  return lines.join('\n');
}

export function formatEvaluation(e: EvaluationResult): string {
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(4));
  return `evaluation against the labels (RSNA 2024 metric, lower is better): score ${f(e.score)}  (spinal ${f(e.spinal)}, foraminal ${f(e.foraminal)}, subarticular ${f(e.subarticular)}, any severe spinal ${f(e.anySevereSpinal)}; ${e.rowCount} rows, ${e.studyCount} studies)`;
}
