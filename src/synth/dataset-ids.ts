// Integer study and series ids, as in the Kaggle data (up to 10 digits), deterministic by seed.
import { hashKey, Random } from './random.js';
import type { SeriesIds } from './acquisition.js';

const MIN_ID = 1_000_000;
const MAX_ID = 4_294_967_295;

/** `count` distinct study ids: consecutive from `firstStudyId` when given, otherwise drawn from the seed. */
export function studyIds(seed: number, count: number, firstStudyId?: number): number[] {
  if (firstStudyId !== undefined) {
    if (!Number.isSafeInteger(firstStudyId) || firstStudyId < 1) throw new RangeError('firstStudyId must be a positive integer');
    return Array.from({ length: count }, (_, i) => firstStudyId + i);
  }
  const rng = new Random(seed, 'study-ids');
  const seen = new Set<number>();
  const ids: number[] = [];
  while (ids.length < count) {
    const id = rng.int(MIN_ID, MAX_ID);
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

/** Series ids of a study: a hash of (seed, study id), so they do not depend on the rest of the dataset. `taken`
 * holds ids already used in this dataset; a collision moves on to the next hash. */
export function seriesIdsFor(seed: number, studyId: number, taken: Set<number>): SeriesIds {
  const ids: number[] = [];
  for (let attempt = 0; ids.length < 3; attempt++) {
    const id = MIN_ID + (hashKey(seed, studyId, 'series', attempt) % (MAX_ID - MIN_ID));
    if (!taken.has(id)) {
      taken.add(id);
      ids.push(id);
    }
  }
  return { sagittalT2: ids[0], sagittalT1: ids[1], axialT2: ids[2] };
}
