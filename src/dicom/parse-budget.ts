// What one file may cost the parser. dicom-parser reads a whole data set eagerly and recursively, and attributes
// such as Number of Frames drive loops: without limits one crafted file (2^31-1 frames, sequences nested 5,000 deep,
// millions of tiny elements) blocks an import or crashes the reader with "Maximum call stack size exceeded". Every
// limit breached is an INVALID_DICOM naming the limit.

import type { DataSet } from 'dicom-parser';
import { invalidDicom } from './errors.js';

export interface ParseBudget {
  /** Number of Frames above this is refused (enhanced MR series run to a few thousand frames). */
  readonly maxFrames: number;
  /** Sequence nesting (a top-level sequence's items are depth 1); real objects stay below 10. */
  readonly maxSequenceDepth: number;
  /** Elements across the data set and every sequence item. */
  readonly maxElements: number;
  /** Rows x Columns x Samples per Pixel of one frame (2^26: e.g. 8192 x 8192 monochrome). */
  readonly maxFrameSamples: number;
  /** Wall-clock time for parsing one file, checked between steps. */
  readonly maxMillis: number;
}

export const DEFAULT_PARSE_BUDGET: ParseBudget = {
  maxFrames: 20_000,
  maxSequenceDepth: 32,
  maxElements: 1_000_000,
  maxFrameSamples: 2 ** 26,
  maxMillis: 10_000,
};

/** The clock of one parse: `check` throws once the time budget is spent. */
export class ParseClock {
  private readonly started = performance.now();
  constructor(
    private readonly source: string,
    private readonly budget: ParseBudget,
  ) {}

  check(step: string): void {
    const elapsed = performance.now() - this.started;
    if (elapsed > this.budget.maxMillis) {
      throw invalidDicom(this.source, `parsing took more than ${this.budget.maxMillis} ms (the per-file limit), stopped ${step}`);
    }
  }
}

/** Walks every element and sequence item without recursion, refusing data sets beyond the budget. */
export function checkDataSetSize(ds: DataSet, budget: ParseBudget, source: string, clock: ParseClock): void {
  const pending: { dataSet: DataSet; depth: number }[] = [{ dataSet: ds, depth: 0 }];
  let elements = 0;
  while (pending.length) {
    const { dataSet, depth } = pending.pop()!;
    if (depth > budget.maxSequenceDepth) {
      throw invalidDicom(source, `sequences nested more than ${budget.maxSequenceDepth} deep (the per-file limit)`);
    }
    for (const tag in dataSet.elements) {
      elements++;
      if (elements > budget.maxElements) {
        throw invalidDicom(source, `more than ${budget.maxElements} data elements (the per-file limit)`);
      }
      if ((elements & 0xfff) === 0) clock.check('counting elements');
      const items = dataSet.elements[tag].items;
      if (items) for (const item of items) if (item.dataSet) pending.push({ dataSet: item.dataSet, depth: depth + 1 });
    }
  }
}

/**
 * dicom-parser recurses once per nesting level: a stack overflow there means nesting far beyond the budget.
 * dicom-parser wraps what it catches as `{ exception, dataSet }`.
 */
export function isStackOverflow(e: unknown): boolean {
  if (e && typeof e === 'object' && 'exception' in e) return isStackOverflow((e as { exception: unknown }).exception);
  return e instanceof RangeError && /call stack/i.test(e.message);
}
