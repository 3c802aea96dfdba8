// 12-bit lossy JPEG (extended, process 4) through @abasb75/jpegjs: the pdf.js-derived decoder that cornerstone's
// DICOM image loader ships for this case (its codecs/jpeg.js, published standalone). libjpeg-turbo's WASM build
// only handles 8-bit precision.
//
// That decoder scales its 8-bit level shift by 4095/255, ending each sample with (q + 33017) >> 4 instead of the
// 12-bit level shift (q + 32776) >> 4: every value comes out 15 too high (241/16), and the top clamp lands at 4095
// for true values from 4080 up. We subtract the bias and clamp at 0; measured against DCMTK's dcmdjpeg on the
// samples, the result then differs by at most 1 (IDCT rounding), except that true values above 4080 read as 4080.

import type { DecodedSamples, FrameDecoder } from './types.js';

interface JpegImage {
  parse(data: Uint8Array): void;
  width: number;
  height: number;
  components: unknown[];
  colorTransform?: boolean;
  getData16(width: number, height: number): Uint16Array;
}
type JpegImageConstructor = new () => JpegImage;

const LEVEL_SHIFT_BIAS = 15;

let decoder: Promise<FrameDecoder> | undefined;

export function loadJpeg12BitDecoder(): Promise<FrameDecoder> {
  decoder ??= import('@abasb75/jpegjs').then((mod) => {
    const JpegImageClass = (mod as unknown as { default: JpegImageConstructor }).default;
    return (encoded): DecodedSamples => {
      const image = new JpegImageClass();
      image.parse(encoded);
      image.colorTransform = false;
      if (image.components.length !== 1) throw new Error(`12-bit JPEG with ${image.components.length} components is not supported`);
      const samples = image.getData16(image.width, image.height);
      for (let i = 0; i < samples.length; i++) samples[i] = samples[i] > LEVEL_SHIFT_BIAS ? samples[i] - LEVEL_SHIFT_BIAS : 0;
      return {
        rows: image.height,
        columns: image.width,
        components: 1,
        samples,
        layout: 'interleaved',
        bitsPerSample: 12,
        convertedToRgb: false,
      };
    };
  });
  return decoder;
}
