// The 25 rows of a study, combined as the seed combines its models: a row's probabilities are the softmax of the
// weighted mean of the logits of every model and fold that graded it (combined_ensemble_model_pred.ipynb sums
// logits, rsna_lumbar_metric.prepare_data applies the softmax; weights are the manifests' `ensembleWeight`,
// default 1). Rows some groups could not grade use the models that could; rows no model could grade use the
// prevalence prior. Either way the row says why.
import { CONDITION_INFO, CONDITIONS, LEVELS, type Condition } from '../../domain/vocabulary.js';
import type { FallbackCode, PredictionRow, Unavailable } from '../types.js';
import { softmax3 } from './classifier-stage.js';
import { PREVALENCE_PRIOR } from './prior.js';
import { rowKey, type StudyState } from './study-state.js';

type Triple = readonly [number, number, number];

/** softmax(sum_i w_i * logits_i / sum_i w_i). */
export function combineLogits(votes: readonly { readonly logits: Triple; readonly weight: number }[]): [number, number, number] {
  const total = votes.reduce((a, v) => a + v.weight, 0);
  const s = votes.reduce<[number, number, number]>(
    (a, v) => [a[0] + v.weight * v.logits[0], a[1] + v.weight * v.logits[1], a[2] + v.weight * v.logits[2]],
    [0, 0, 0],
  );
  return softmax3([s[0] / total, s[1] / total, s[2] / total]);
}

function describe(reasons: readonly Unavailable[]): string {
  return [...new Set(reasons.map((r) => `${r.code}: ${r.message}`))].join('; ');
}

/** `expected`: for each condition, the model groups of the set that grade it. */
export function ensembleRows(state: StudyState, expected: ReadonlyMap<Condition, readonly string[]>): PredictionRow[] {
  const rows: PredictionRow[] = [];
  for (const condition of CONDITIONS) {
    const groups = expected.get(condition) ?? [];
    for (const level of LEVELS) {
      const votes = (state.votes.get(rowKey(condition, level)) ?? []).filter((v) => groups.includes(v.group));
      const misses = (state.misses.get(rowKey(condition, level)) ?? []).filter((m) => groups.includes(m.group));
      const byGroup = groups.filter((g) => votes.some((v) => v.group === g));
      const missing: Unavailable[] =
        groups.length === 0
          ? [{ code: 'NO_MODEL', message: `the model set has no classifier for ${condition}` }]
          : misses.map((m) => m.reason);
      const zeroFilled = votes.flatMap((v) => v.zeroFilled);
      let probs: Triple;
      const notes: string[] = [];
      if (byGroup.length === 0) {
        probs = PREVALENCE_PRIOR[CONDITION_INFO[condition].core];
        notes.push(`prevalence prior: ${describe(missing) || 'no model could grade this row'}`);
      } else {
        probs = combineLogits(votes);
        if (byGroup.length < groups.length)
          notes.push(`partial ensemble (${byGroup.length} of ${groups.length} model groups): ${describe(missing)}`);
        if (zeroFilled.length > 0) notes.push(`zero-filled ROIs: ${describe(zeroFilled)}`);
      }
      const used = byGroup.length === 0 ? missing : [...(byGroup.length < groups.length ? missing : []), ...zeroFilled];
      const codes = [...new Set(used.map((r) => r.code))] as FallbackCode[];
      const fallback = notes.length > 0 ? notes.join('; ') : undefined;
      rows.push({
        condition,
        level,
        normalMild: probs[0],
        moderate: probs[1],
        severe: probs[2],
        ...(fallback ? { fallback } : {}),
        fallbackCodes: fallback ? codes : [],
        // Kept beside the ensemble's so the review queue can rank rows by how much the members disagree.
        // Sorted: votes arrive in the order their models finish, which worker threads do not fix.
        ...(byGroup.length > 0
          ? { members: votes.map((v) => softmax3(v.logits)).sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]) }
          : {}),
        modelsUsed: byGroup.length,
        modelsExpected: groups.length,
      });
    }
  }
  return rows;
}
