// Classifier role: logits -> per-condition softmax triples, recorded as votes of the model's ensemble group.
import { SEVERITIES, type Condition } from '../../domain/vocabulary.js';
import type { LogitsOutput, ModelManifest } from '../manifest.js';
import { ROLE_SPECS, type Sample } from '../roles.js';
import type { Unavailable } from '../types.js';
import type { PreparedInputs } from './model-inputs.js';
import type { StudyState } from './study-state.js';

/** Folds of one architecture in one role form a group: folds are averaged first, then groups. */
export const ensembleGroup = (m: ModelManifest): string => `${m.role}/${m.architecture ?? m.backbone}`;

/** The conditions a sample's logits grade, in output order. */
export function conditionsOf(m: ModelManifest, sample: Sample): readonly Condition[] {
  const spec = ROLE_SPECS[m.role];
  if (spec.conditionOf) return [spec.conditionOf(sample)];
  return (m.output as LogitsOutput).conditions ?? [];
}

/** The conditions a model can grade at all (what the ensemble expects from its group). */
export function conditionsCovered(m: ModelManifest): readonly Condition[] {
  const spec = ROLE_SPECS[m.role];
  return spec.covers === 'from-manifest' ? ((m.output as LogitsOutput).conditions ?? []) : spec.covers;
}

/** Softmax over three logits given in `classes` order, returned in SEVERITIES order. */
export function softmax3(logits: ArrayLike<number>, offset: number, classes: readonly string[]): [number, number, number] {
  const v = SEVERITIES.map((s) => logits[offset + classes.indexOf(s)]);
  const max = Math.max(v[0], v[1], v[2]);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e[0] + e[1] + e[2];
  return [e[0] / sum, e[1] / sum, e[2] / sum];
}

export function recordMissingVotes(m: ModelManifest, state: StudyState, sample: Sample, reason: Unavailable): void {
  if (!sample.level) return;
  for (const c of conditionsOf(m, sample)) state.addMiss(c, sample.level, { group: ensembleGroup(m), reason });
}

export function recordVotes(m: ModelManifest, prepared: PreparedInputs, logits: Float32Array): void {
  const out = m.output as LogitsOutput;
  const width = out.shape[1];
  prepared.rows.forEach((row, r) => {
    if (!row.sample.level) return;
    conditionsOf(m, row.sample).forEach((condition, ci) => {
      row.state.addVote(condition, row.sample.level as NonNullable<Sample['level']>, {
        group: ensembleGroup(m),
        probs: softmax3(logits, r * width + ci * 3, out.classes),
      });
    });
  });
}
