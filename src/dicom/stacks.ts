// A series -> its stacks of parallel slices, each ordered by position along its normal (never by file name or
// instance number). RSNA axial series often hold one tilted stack per disc; some exports repeat a stack.
//
// Splitting rules, in order:
//  1. normals: slices whose normals differ by more than `maxNormalAngleDeg` (default 2 degrees) are in different
//     stacks; per-disc axial stacks are typically tilted 5-20 degrees apart, a single stack's normals agree to
//     rounding (< 0.1 degree);
//  2. repeats: two slices at the same position (within `samePositionMm`) cannot be in one stack; the second opens
//     (or joins) another stack with the same normal;
//  3. jumps: within a stack, a gap larger than `jumpFactor` (default 2.5) times the stack's median gap splits it.
// Spacing is the median gap; it is checked against the slices' SpacingBetweenSlices and for regularity, and any
// disagreement is reported in `warnings` (the stack is still returned).

import type { SliceGeometry, Vec3 } from '../domain/image.js';
import { patientToPixel, positionAlong, sliceNormal } from './geometry.js';
import { classifyNormal, type PlaneOrientation } from './orientation.js';
import { angleBetweenAxesDeg } from './vec3.js';

export interface StackItem {
  readonly geometry: SliceGeometry;
  /** DICOM SpacingBetweenSlices, when the item carries it (DicomInstance does). */
  readonly spacingBetweenSlices?: number | undefined;
}

export interface Stack<T extends StackItem> {
  /** Ordered by ascending position along `normal`. */
  readonly items: readonly T[];
  /** Unit normal shared by the stack: row x column direction of its reference slice. */
  readonly normal: Vec3;
  /** Position of each item's plane along `normal`, mm (same order as `items`). */
  readonly positionsMm: readonly number[];
  readonly orientation: PlaneOrientation;
  /** Median distance between neighbouring slices, mm; undefined for a single slice. */
  readonly spacingMm: number | undefined;
  /** Problems found with the spacing (irregular gaps, disagreement with SpacingBetweenSlices). */
  readonly warnings: readonly string[];
}

export interface StackOptions {
  readonly maxNormalAngleDeg?: number;
  readonly samePositionMm?: number;
  readonly jumpFactor?: number;
  /** Relative tolerance for spacing checks (default 0.1 = 10 %, never below 0.05 mm). */
  readonly spacingTolerance?: number;
}

const DEFAULTS = { maxNormalAngleDeg: 2, samePositionMm: 0.01, jumpFactor: 2.5, spacingTolerance: 0.1 };

interface Placed<T> {
  readonly item: T;
  readonly position: number;
}

export function orderIntoStacks<T extends StackItem>(items: readonly T[], options: StackOptions = {}): Stack<T>[] {
  const o = { ...DEFAULTS, ...options };
  const stacks: Stack<T>[] = [];
  for (const group of groupByNormal(items, o.maxNormalAngleDeg)) {
    const placed = group.members
      .map((item, inputOrder) => ({ item, position: positionAlong(item.geometry, group.normal), inputOrder }))
      .sort((a, b) => a.position - b.position || a.inputOrder - b.inputOrder);
    for (const run of splitRepeats(placed, o.samePositionMm)) {
      for (const part of splitJumps(run, o.jumpFactor)) stacks.push(makeStack(part, group.normal, o.spacingTolerance));
    }
  }
  // Deterministic order between stacks: by their centre along the first stack's normal.
  const axis = stacks[0]?.normal;
  if (axis) stacks.sort((a, b) => centre(a, axis) - centre(b, axis));
  return stacks;
}

function centre<T extends StackItem>(s: Stack<T>, axis: Vec3): number {
  const mid = s.items[Math.floor(s.items.length / 2)];
  return positionAlong(mid.geometry, axis);
}

function groupByNormal<T extends StackItem>(items: readonly T[], maxAngleDeg: number): { normal: Vec3; members: T[] }[] {
  const groups: { normal: Vec3; members: T[] }[] = [];
  for (const item of items) {
    const n = sliceNormal(item.geometry);
    const group = groups.find((g) => angleBetweenAxesDeg(g.normal, n) <= maxAngleDeg);
    if (group) group.members.push(item);
    else groups.push({ normal: n, members: [item] });
  }
  return groups;
}

/** Slices are sorted by position; each goes to the first run that does not already hold its position. */
function splitRepeats<T>(placed: readonly Placed<T>[], samePositionMm: number): Placed<T>[][] {
  const runs: Placed<T>[][] = [];
  for (const p of placed) {
    const run = runs.find((r) => p.position - r[r.length - 1].position > samePositionMm);
    if (run) run.push(p);
    else runs.push([p]);
  }
  return runs;
}

function splitJumps<T>(run: readonly Placed<T>[], jumpFactor: number): Placed<T>[][] {
  const gaps = run.slice(1).map((p, i) => p.position - run[i].position);
  if (gaps.length < 2) return [[...run]];
  const typical = median(gaps);
  const parts: Placed<T>[][] = [[run[0]]];
  gaps.forEach((gap, i) => {
    if (gap > jumpFactor * typical) parts.push([]);
    parts[parts.length - 1].push(run[i + 1]);
  });
  return parts;
}

function makeStack<T extends StackItem>(part: readonly Placed<T>[], normal: Vec3, tolerance: number): Stack<T> {
  const positionsMm = part.map((p) => p.position);
  const gaps = positionsMm.slice(1).map((p, i) => p - positionsMm[i]);
  const spacingMm = gaps.length ? median(gaps) : undefined;
  const warnings: string[] = [];
  if (spacingMm !== undefined) {
    const allowed = Math.max(0.05, tolerance * spacingMm);
    const worst = gaps.reduce((w, g) => Math.max(w, Math.abs(g - spacingMm)), 0);
    if (worst > allowed)
      warnings.push(
        `irregular slice spacing: gaps from ${fmt(Math.min(...gaps))} to ${fmt(Math.max(...gaps))} mm around a median of ${fmt(spacingMm)} mm`,
      );
    const declared = part.map((p) => p.item.spacingBetweenSlices).find((s): s is number => s !== undefined && s > 0);
    if (declared !== undefined && Math.abs(declared - spacingMm) > Math.max(0.05, tolerance * declared)) {
      warnings.push(`SpacingBetweenSlices says ${fmt(declared)} mm, positions along the normal are ${fmt(spacingMm)} mm apart`);
    }
  }
  return { items: part.map((p) => p.item), normal, positionsMm, orientation: classifyNormal(normal), spacingMm, warnings };
}

const fmt = (n: number): string => n.toFixed(2);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface NearestSlice<T> {
  readonly index: number;
  readonly item: T;
  /** Distance of the point from that slice's plane, mm. */
  readonly distanceMm: number;
  /** Where the point projects onto the slice, in pixels (column x, row y). */
  readonly x: number;
  readonly y: number;
}

/** The slice whose plane is closest to a patient-space point; undefined only for an empty stack. */
export function nearestSlice<T extends StackItem>(stack: Pick<Stack<T>, 'items'>, point: Vec3): NearestSlice<T> | undefined {
  let best: NearestSlice<T> | undefined;
  stack.items.forEach((item, index) => {
    const p = patientToPixel(item.geometry, point);
    if (!best || p.distanceMm < best.distanceMm) best = { index, item, distanceMm: p.distanceMm, x: p.x, y: p.y };
  });
  return best;
}
