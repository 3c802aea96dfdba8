// Cross-validation folds by study, stratified by "any severe label", deterministic for a seed: the same cohort
// and seed always give the same folds, whatever order the studies come in.

export interface FoldCandidate {
  readonly studyId: string;
  readonly anySevere: boolean;
}

/**
 * Five folds, or fewer when the cohort is too small for every fold to hold at least two studies, but never fewer
 * than two: a fold's models train on the other folds, so with a single fold they would have nothing to train on.
 */
export function foldCountFor(studies: number, requested = 5): number {
  if (!Number.isInteger(requested) || requested < 2)
    throw new RangeError(`fold count must be an integer of at least 2 (a fold trains on the others), got ${requested}`);
  return Math.min(requested, Math.max(2, Math.floor(studies / 2)));
}

/** 32-bit FNV-1a of the seed and the study id: a stable shuffle key independent of input order. */
function shuffleKey(seed: number, studyId: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < studyId.length; i++) {
    h ^= studyId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 12)) >>> 0;
}

/**
 * Deals each stratum (severe, then not) round-robin over the folds in a seeded order; the dealer carries on
 * across strata so fold sizes differ by at most one.
 */
export function assignFolds(studies: readonly FoldCandidate[], folds: number, seed: number): Map<string, number> {
  if (!Number.isInteger(folds) || folds < 1) throw new RangeError(`fold count must be a positive integer, got ${folds}`);
  const ids = new Set<string>();
  for (const s of studies) {
    if (ids.has(s.studyId)) throw new Error(`study ${s.studyId} is listed twice`);
    ids.add(s.studyId);
  }
  const byKey = (a: FoldCandidate, b: FoldCandidate) =>
    shuffleKey(seed, a.studyId) - shuffleKey(seed, b.studyId) || (a.studyId < b.studyId ? -1 : 1);
  const out = new Map<string, number>();
  let next = 0;
  for (const stratum of [studies.filter((s) => s.anySevere), studies.filter((s) => !s.anySevere)]) {
    for (const s of [...stratum].sort(byKey)) {
      out.set(s.studyId, next);
      next = (next + 1) % folds;
    }
  }
  return out;
}
