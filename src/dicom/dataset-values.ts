// Typed reads over a dicom-parser DataSet. dicom-parser returns undefined for absent or empty elements and NaN
// for malformed numbers; these helpers turn both into undefined so callers see one "missing" state.

import type { DataSet } from 'dicom-parser';

const finite = (n: number | undefined): number | undefined => (n !== undefined && Number.isFinite(n) ? n : undefined);

export function readString(ds: DataSet, tag: string): string | undefined {
  const s = ds.string(tag);
  return s === undefined || s === '' ? undefined : s;
}

/** DS (decimal string) value `index`. */
export function readDecimal(ds: DataSet, tag: string, index = 0): number | undefined {
  return finite(ds.floatString(tag, index));
}

/** IS (integer string) value. */
export function readInteger(ds: DataSet, tag: string): number | undefined {
  return finite(ds.intString(tag));
}

/** US (unsigned short) value. */
export function readUint16(ds: DataSet, tag: string): number | undefined {
  return ds.elements[tag]?.length ? finite(ds.uint16(tag)) : undefined;
}

/** A multi-valued DS of exactly `count` finite numbers, or undefined. */
export function readDecimals(ds: DataSet, tag: string, count: number): number[] | undefined {
  if (!ds.elements[tag]?.length || ds.numStringValues(tag) !== count) return undefined;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = readDecimal(ds, tag, i);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

/** The data set of the first item of a sequence, when present. */
export function firstItem(ds: DataSet, tag: string): DataSet | undefined {
  return ds.elements[tag]?.items?.[0]?.dataSet;
}
