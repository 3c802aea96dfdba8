// The study as the pipeline sees it: stacks of slices whose pixels load lazily, put in the reference order.
import type { ImageFrame, SliceGeometry, Vec3 } from '../domain/image.js';
import type { SeriesType } from '../domain/vocabulary.js';
import { positionAlong, sliceNormal } from '../dicom/geometry.js';

/** One slice: geometry and identity now, pixels on demand (decoding is the expensive part). */
export interface SliceRef {
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | undefined;
  /** Opaque id of the caller's own record for this instance (e.g. a database id); carried into results. */
  readonly instanceId?: string;
  readonly geometry: SliceGeometry;
  load(): Promise<ImageFrame>;
}

/** A set of parallel slices of one series (a series may hold several stacks, e.g. one tilted stack per disc). */
export interface SeriesStack {
  readonly seriesId: string;
  readonly type: SeriesType;
  /** Any order: the pipeline sorts them itself (see orderStack). */
  readonly slices: readonly SliceRef[];
  /** DICOM SpacingBetweenSlices, mm, when the files carry it. */
  readonly spacingBetweenSlices?: number;
}

export interface StudyInput {
  readonly studyId: string;
  readonly stacks: readonly SeriesStack[];
}

export interface OrderedStack {
  readonly seriesId: string;
  readonly type: SeriesType;
  /** Sorted by position along the stack direction (see orderStack). */
  readonly slices: readonly SliceRef[];
  /** Positions of `slices` along `direction`, mm, ascending. */
  readonly positionsMm: readonly number[];
  readonly direction: Vec3;
  /** SpacingBetweenSlices when given, else the median gap between positions; NaN for a single slice. */
  readonly spacingMm: number;
}

/**
 * The reference pipeline orders a stack so that the patient coordinate that changes most increases with the
 * index (for a sagittal stack: index grows towards patient left, which is why right-side offsets are negative).
 * Sorting by position along the normal, with the normal's dominant component made positive, is the same rule
 * made robust to file order.
 */
export function orderStack(stack: SeriesStack): OrderedStack {
  if (stack.slices.length === 0) {
    return { seriesId: stack.seriesId, type: stack.type, slices: [], positionsMm: [], direction: [0, 0, 1], spacingMm: Number.NaN };
  }
  const n = sliceNormal(stack.slices[0].geometry);
  let dominant = 0;
  for (let i = 1; i < 3; i++) if (Math.abs(n[i]) > Math.abs(n[dominant])) dominant = i;
  const direction: Vec3 = n[dominant] < 0 ? [-n[0], -n[1], -n[2]] : n;
  const withPos = stack.slices.map((s) => ({ s, pos: positionAlong(s.geometry, direction) }));
  withPos.sort((a, b) => a.pos - b.pos);
  const positionsMm = withPos.map((w) => w.pos);
  return {
    seriesId: stack.seriesId,
    type: stack.type,
    slices: withPos.map((w) => w.s),
    positionsMm,
    direction,
    spacingMm:
      stack.spacingBetweenSlices !== undefined && stack.spacingBetweenSlices > 0 ? stack.spacingBetweenSlices : medianGap(positionsMm),
  };
}

function medianGap(sorted: readonly number[]): number {
  if (sorted.length < 2) return Number.NaN;
  const gaps = sorted
    .slice(1)
    .map((p, i) => p - sorted[i])
    .sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
}
