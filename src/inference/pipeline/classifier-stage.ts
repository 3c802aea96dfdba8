// Classifier role: logits -> per-condition logit triples, recorded as votes of the model's ensemble group.
import { SEVERITIES, type Condition } from '../../domain/vocabulary.js';
import type { ClassifierModelSpec, ModelManifest } from '../manifest.js';
import type { Sample } from '../roles.js';
import type { Unavailable } from '../types.js';
import type { PreparedInputs } from './model-inputs.js';
import type { StudyState } from './study-state.js';

/** Folds of one architecture in one role form a group (what `modelsUsed`/`modelsExpected` count). */
export const ensembleGroup = (m: ModelManifest): string => `${m.role}/${m.architecture}`;

const specOf = (m: ModelManifest): ClassifierModelSpec => {
  if (m.spec.kind !== 'classifier') throw new Error(`internal: ${m.name} is not a classifier`);
  return m.spec;
};

/** The conditions a sample's logits grade, in output order. */
export const conditionsOf = (m: ModelManifest, sample: Sample): readonly Condition[] => specOf(m).variants[sample.variant ?? 0].conditions;

/** Every condition the model grades (what the ensemble expects from its group). */
export const conditionsCovered = (m: ModelManifest): readonly Condition[] => specOf(m).variants.flatMap((v) => v.conditions);

/** Three logits given in `classes` order, returned in SEVERITIES order. */
export function logits3(logits: ArrayLike<number>, offset: number, classes: readonly string[]): [number, number, number] {
  const v = SEVERITIES.map((s) => logits[offset + classes.indexOf(s)]);
  return [v[0], v[1], v[2]];
}

/** Softmax of three logits (max-shifted). */
export function softmax3(v: readonly [number, number, number]): [number, number, number] {
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
  const out = specOf(m).output;
  const width = out.shape[1] as number;
  prepared.rows.forEach((row, r) => {
    const level = row.sample.level;
    if (!level) return;
    conditionsOf(m, row.sample).forEach((condition, ci) => {
      row.state.addVote(condition, level, {
        group: ensembleGroup(m),
        logits: logits3(logits, r * width + ci * 3, out.classes),
        weight: m.ensembleWeight,
        zeroFilled: row.zeroFilled,
      });
    });
  });
}
