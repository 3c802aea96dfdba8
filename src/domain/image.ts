// Plain image and geometry types shared by dicom/, inference/ and training/. No behaviour, no imports.

export type Vec3 = readonly [number, number, number];

/** Where a 2D image lies in patient space (DICOM LPS, millimetres). */
export interface SliceGeometry {
  readonly rows: number;
  readonly columns: number;
  /** DICOM PixelSpacing: [spacing between rows (along y), spacing between columns (along x)], mm. */
  readonly pixelSpacing: readonly [number, number];
  /** Patient position of the centre of the first transmitted pixel (x = 0, y = 0). */
  readonly imagePositionPatient: Vec3;
  /** DICOM ImageOrientationPatient: row direction cosine (increasing x) then column direction cosine (increasing y). */
  readonly imageOrientationPatient: readonly [number, number, number, number, number, number];
}

/** One decoded frame: modality values (rescale applied, MONOCHROME1 inverted), row-major. */
export interface ImageFrame {
  readonly rows: number;
  readonly columns: number;
  readonly pixels: Float32Array;
}

/** A decoded slice with its geometry and identity, as the pipeline consumes it. */
export interface Slice extends ImageFrame {
  readonly geometry: SliceGeometry;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | undefined;
}
