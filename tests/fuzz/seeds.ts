// The real files the DICOM fuzzer mutates: one or two per transfer syntax the reader decodes, small enough that a
// mutant decodes in milliseconds. Each seed names a primer of the same codec with different pixels, decoded before
// the mutant to catch output that depends on the previous decode.

import { pydicomSample, sample } from '../unit/dicom/samples.js';

export interface FuzzSeed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Another file of the same codec with different pixels. */
  readonly primer: string;
}

const py = (name: string): string => `pydicom/${name}`;

/** name -> [loader, primer name]. */
const SEEDS: readonly (readonly [string, string])[] = [
  [py('MR_small.dcm'), py('CT_small.dcm')], // explicit VR little endian
  [py('MR_small_implicit.dcm'), py('CT_small.dcm')], // implicit VR little endian
  [py('MR_small_bigendian.dcm'), py('CT_small.dcm')], // explicit VR big endian
  ['deflate/image_dfl', py('CT_small.dcm')], // deflated explicit VR little endian
  [py('MR_small_RLE.dcm'), py('SC_rgb_rle.dcm')], // RLE
  [py('MR_small_jpeg_ls_lossless.dcm'), 'encapsulated/single-frame/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm'], // JPEG-LS
  [py('MR_small_jp2klossless.dcm'), py('JPEG2000.dcm')], // JPEG 2000 lossless
  [py('JPEG2000.dcm'), py('MR_small_jp2klossless.dcm')], // JPEG 2000
  [py('SC_rgb_jpeg_dcmtk.dcm'), py('SC_rgb_dcmtk_+eb+cy+n1.dcm')], // JPEG baseline
  [py('JPGExtended.dcm'), py('JPEG-lossy.dcm')], // JPEG extended 12-bit
  ['encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm', py('SC_rgb_jpeg_dcmtk.dcm')], // JPEG lossless
];

export function fixture(name: string): Uint8Array {
  return name.startsWith('pydicom/') ? pydicomSample(name.slice('pydicom/'.length)) : sample(name);
}

export function loadSeeds(): FuzzSeed[] {
  return SEEDS.map(([name, primer]) => ({ name, bytes: fixture(name), primer }));
}
