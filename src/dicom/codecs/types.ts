// The contract between the pixel pipeline and one codec. A decoder returns samples it owns (WASM output is copied out
// before the codec's decoder object is freed), and throws an Error with a readable message when the frame is corrupt.

export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface FrameParameters {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly samplesPerPixel: number;
  readonly signed: boolean;
  readonly planarConfiguration: number;
}

export interface DecodedSamples {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  /** Raw sample values: exactly rows x columns x components of them. */
  readonly samples: SampleArray;
  /** Colour samples arranged pixel by pixel (RGBRGB...) or plane by plane (RRR...GGG...BBB...). */
  readonly layout: 'interleaved' | 'planar';
  /** Precision the bitstream declares, when the codec reports one. */
  readonly bitsPerSample: number | undefined;
  /** True when the codec already converted YCbCr to RGB (JPEG baseline colour). */
  readonly convertedToRgb: boolean;
}

export type FrameDecoder = (encoded: Uint8Array, params: FrameParameters) => DecodedSamples | Promise<DecodedSamples>;
