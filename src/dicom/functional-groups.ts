// Enhanced multi-frame objects (Enhanced CT/MR) keep plane position, orientation, pixel spacing and rescale in
// functional group sequences instead of top-level attributes: per frame, falling back to the shared group.

import type { DataSet } from 'dicom-parser';
import type { SliceGeometry, Vec3 } from '../domain/image.js';
import { firstItem, readDecimal, readDecimals } from './dataset-values.js';
import { createSliceGeometry } from './geometry.js';
import { TAG } from './tags.js';

export interface FrameAttributes {
  readonly imagePositionPatient: Vec3 | undefined;
  readonly imageOrientationPatient: readonly number[] | undefined;
  readonly pixelSpacing: readonly [number, number] | undefined;
  readonly sliceThickness: number | undefined;
  readonly spacingBetweenSlices: number | undefined;
  readonly rescaleSlope: number | undefined;
  readonly rescaleIntercept: number | undefined;
}

export function hasFunctionalGroups(ds: DataSet): boolean {
  return ds.elements[TAG.PerFrameFunctionalGroupsSequence] !== undefined || ds.elements[TAG.SharedFunctionalGroupsSequence] !== undefined;
}

/** Attributes of frame `index`, the per-frame group taking precedence over the shared one. */
export function frameAttributes(ds: DataSet, index: number): FrameAttributes {
  const perFrame = ds.elements[TAG.PerFrameFunctionalGroupsSequence]?.items?.[index]?.dataSet;
  const shared = firstItem(ds, TAG.SharedFunctionalGroupsSequence);
  const groups = [perFrame, shared].filter((g): g is DataSet => g !== undefined);
  const fromMacro = <T>(macroTag: string, read: (macro: DataSet) => T | undefined): T | undefined => {
    for (const group of groups) {
      const macro = firstItem(group, macroTag);
      const value = macro && read(macro);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  return {
    imagePositionPatient: fromMacro(TAG.PlanePositionSequence, (m) => readDecimals(m, TAG.ImagePositionPatient, 3) as Vec3 | undefined),
    imageOrientationPatient: fromMacro(TAG.PlaneOrientationSequence, (m) => readDecimals(m, TAG.ImageOrientationPatient, 6)),
    pixelSpacing: fromMacro(TAG.PixelMeasuresSequence, (m) => readDecimals(m, TAG.PixelSpacing, 2) as [number, number] | undefined),
    sliceThickness: fromMacro(TAG.PixelMeasuresSequence, (m) => readDecimal(m, TAG.SliceThickness)),
    spacingBetweenSlices: fromMacro(TAG.PixelMeasuresSequence, (m) => readDecimal(m, TAG.SpacingBetweenSlices)),
    rescaleSlope: fromMacro(TAG.PixelValueTransformationSequence, (m) => readDecimal(m, TAG.RescaleSlope)),
    rescaleIntercept: fromMacro(TAG.PixelValueTransformationSequence, (m) => readDecimal(m, TAG.RescaleIntercept)),
  };
}

export function frameGeometries(
  ds: DataSet,
  frames: number,
  rows: number | undefined,
  columns: number | undefined,
  checkTime: () => void,
): (SliceGeometry | undefined)[] {
  // `frames` is bounded by the parse budget and by the Pixel Data (checked before this runs).
  const out: (SliceGeometry | undefined)[] = [];
  for (let i = 0; i < frames; i++) {
    if ((i & 0xff) === 0xff) checkTime();
    const a = frameAttributes(ds, i);
    out.push(createSliceGeometry({ rows, columns, ...a }));
  }
  return out;
}
