// The contract between the pixel pipeline and one codec. Decoders are synchronous once loaded, and may return views
// into codec-owned (WASM) memory that the next call overwrites: the caller copies out before it awaits anything.

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
  /** Raw sample values; a view the codec may reuse. */
  readonly samples: SampleArray;
  /** Colour samples arranged pixel by pixel (RGBRGB...) or plane by plane (RRR...GGG...BBB...). */
  readonly layout: 'interleaved' | 'planar';
  /** Precision the bitstream declares, when the codec reports one. */
  readonly bitsPerSample: number | undefined;
  /** True when the codec already converted YCbCr to RGB (JPEG baseline colour). */
  readonly convertedToRgb: boolean;
}

export type FrameDecoder = (encoded: Uint8Array, params: FrameParameters) => DecodedSamples;
