// Links a parsed DicomInstance to the dicom-parser data set its pixels live in, without putting the data set (and
// with it every attribute of the file, identifying ones included) on the public object. The link is per thread:
// an instance copied to another thread (structured clone) keeps its metadata but cannot be decoded there.

import type { DataSet, Element } from 'dicom-parser';
import type { DicomInstance } from './instance.js';

export interface PixelSource {
  readonly dataSet: DataSet;
  readonly pixelData: Element;
}

const sources = new WeakMap<DicomInstance, PixelSource>();

export function attachPixelSource(instance: DicomInstance, source: PixelSource): void {
  sources.set(instance, source);
}

export function pixelSourceOf(instance: DicomInstance): PixelSource | undefined {
  return sources.get(instance);
}
