// A series as the seed's code sees it (rsna2024/data_loader/datasets.py, get_image / get_roi): every instance of the
// series in ONE list, natural-sorted by file name (`{InstanceNumber}.dcm`, i.e. by instance number), reversed when
// ImagePositionPatient decreases from the first to the last file along the component that changes most ("Fix
// direction"). Slice windows index this list, so a window of a multi-stack axial series can cross into the next
// stack, exactly as the seed's does.
import type { SeriesType } from '../domain/vocabulary.js';
import type { SliceRef, StudyInput } from './stack.js';

export interface SeedSeries {
  readonly seriesId: string;
  readonly type: SeriesType;
  /** The seed's file order: ascending instance number (slices without one last, in the order given). */
  readonly byInstance: readonly SliceRef[];
  /** The order windows index: `byInstance`, reversed when the seed reverses it. */
  readonly slices: readonly SliceRef[];
  readonly reversed: boolean;
  /**
   * SpacingBetweenSlices of the first file (by instance number), as `float(ds_first.SpacingBetweenSlices)` reads
   * it; NaN when the file has none (the seed then falls back to the middle window).
   */
  readonly spacingMm: number;
}

/** `diff[np.abs(diff).argmax()] < 0` for diff = IPP(last) - IPP(first): the first largest component decides. */
export function seedReverses(first: SliceRef, last: SliceRef): boolean {
  const a = first.geometry.imagePositionPatient;
  const b = last.geometry.imagePositionPatient;
  const diff = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  let at = 0;
  for (let i = 1; i < 3; i++) if (Math.abs(diff[i]) > Math.abs(diff[at])) at = i;
  return diff[at] < 0;
}

/** Every series of the study in the seed's order, grouped by type in the order the study lists them. */
export function seedSeriesOf(study: StudyInput): Map<SeriesType, SeedSeries[]> {
  const parts = new Map<string, { type: SeriesType; slices: { s: SliceRef; spacing: number | undefined }[] }>();
  for (const stack of study.stacks) {
    const entry = parts.get(stack.seriesId) ?? { type: stack.type, slices: [] };
    for (const s of stack.slices) entry.slices.push({ s, spacing: stack.spacingBetweenSlices });
    parts.set(stack.seriesId, entry);
  }
  const out = new Map<SeriesType, SeedSeries[]>();
  for (const [seriesId, { type, slices }] of parts) {
    const sorted = slices
      .map((x, i) => ({ ...x, i }))
      .sort((a, b) => (a.s.instanceNumber ?? Infinity) - (b.s.instanceNumber ?? Infinity) || a.i - b.i);
    const byInstance = sorted.map((x) => x.s);
    const reversed = byInstance.length > 1 && seedReverses(byInstance[0], byInstance[byInstance.length - 1]);
    const spacing = sorted[0]?.spacing;
    out.set(type, [
      ...(out.get(type) ?? []),
      {
        seriesId,
        type,
        byInstance,
        slices: reversed ? [...byInstance].reverse() : byInstance,
        reversed,
        spacingMm: spacing !== undefined && Number.isFinite(spacing) ? spacing : Number.NaN,
      },
    ]);
  }
  return out;
}
