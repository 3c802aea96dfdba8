// Decoding pydicom's test files (committed under tests/fixtures/dicom/pydicom): MR_small in every transfer syntax it ships, JPEG 2000,
// RLE in 8/16/32 bits and colour, 1-bit, planar and YBR_FULL_422 colour. Reference values are pydicom's own
// `pixel_array` (numpy handlers) and, for 12-bit JPEG, DCMTK's dcmdjpeg.

import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeStoredFrame, parseDicom, type DicomInstance } from '../../../src/dicom/index.js';
import { differences, expectSamePixels, minMax, sum } from '../../unit/dicom/pixel-compare.js';
import { pydicomSample } from '../../unit/dicom/samples.js';

const load = (name: string): DicomInstance => parseDicom(pydicomSample(name), name);

describe('MR_small in its transfer syntaxes', () => {
  it.each([
    ['MR_small_implicit.dcm', '1.2.840.10008.1.2'],
    ['MR_small_bigendian.dcm', '1.2.840.10008.1.2.2'],
    ['MR_small_expb.dcm', '1.2.840.10008.1.2.2'],
    ['MR_small_padded.dcm', '1.2.840.10008.1.2.1'],
    ['MR_small_RLE.dcm', '1.2.840.10008.1.2.5'],
    ['MR_small_jpeg_ls_lossless.dcm', '1.2.840.10008.1.2.4.80'],
    ['MR_small_jp2klossless.dcm', '1.2.840.10008.1.2.4.90'],
  ])('%s equals MR_small exactly', async (name, ts) => {
    const reference = await decodeStoredFrame(load('MR_small.dcm'));
    const instance = load(name);
    expect(instance.transferSyntaxUid).toBe(ts);
    const frame = await decodeStoredFrame(instance);
    expect(frame.pixels).toBeInstanceOf(Int16Array);
    expectSamePixels(frame.pixels, reference.pixels);
    // pydicom: first row starts 905, 1019, 1227, 1259, 761, 404 and the image sums to 2125338.
    expect(Array.from(frame.pixels.subarray(0, 6))).toEqual([905, 1019, 1227, 1259, 761, 404]);
    expect(sum(frame.pixels)).toBe(2125338);
  });

  it('has the axial geometry MR_small declares', () => {
    const i = load('MR_small.dcm');
    expect(i.geometry?.rows).toBe(64);
    expect(i.geometry?.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
  });
});

describe('JPEG 2000', () => {
  it('decodes lossy JPEG 2000 (.91) to the image size with plausible CT values', async () => {
    const frame = await decodeFrame(load('JPEG2000.dcm'));
    expect(frame.pixels.length).toBe(1024 * 256);
    expect(sum(frame.pixels)).toBeGreaterThan(0);
  });

  it('reinterprets unsigned JPEG 2000 samples as the signed 13-bit values the header declares', async () => {
    const frame = await decodeStoredFrame(load('J2K_pixelrep_mismatch.dcm'));
    expect(frame.signed).toBe(true);
    expect(frame.pixels[0]).toBe(-2000);
    expect(minMax(frame.pixels).min).toBeGreaterThanOrEqual(-(2 ** 12));
  });

  it('rejects a corrupted JPEG 2000 stream with INVALID_DICOM instead of returning stale pixels', async () => {
    await decodeFrame(load('MR_small_jp2klossless.dcm')); // leave a different image in the codec
    await expect(decodeFrame(load('JPEG2000-embedded-sequence-delimiter.dcm'))).rejects.toMatchObject({ code: 'INVALID_DICOM' });
  });

  it('returns RGB for a YBR_RCT colour codestream', async () => {
    const frame = await decodeStoredFrame(load('GDCMJ2K_TextGBR.dcm'));
    expect(frame.photometricInterpretation).toBe('RGB');
    expect(frame.pixels.length).toBe(400 * 400 * 3);
  });
});

describe('RLE lossless', () => {
  it.each([
    ['SC_rgb_rle.dcm', Uint8Array, 3831000, [255, 0, 0]],
    ['SC_rgb_rle_16bit.dcm', Uint16Array, 984567000, [65535, 0, 0]],
    ['SC_rgb_rle_32bit.dcm', Uint32Array, 64525567479000, [4294967295, 0, 0]],
  ] as const)('%s matches pydicom', async (name, type, total, firstPixel) => {
    const frame = await decodeStoredFrame(load(name));
    expect(frame.pixels).toBeInstanceOf(type);
    expect(frame.samplesPerPixel).toBe(3);
    expect(Array.from(frame.pixels.subarray(0, 3))).toEqual(firstPixel);
    expect(sum(frame.pixels)).toBe(total);
  });

  it('decodes both frames of multi-frame RLE, one fragment per frame without an offset table', async () => {
    const i = load('rtdose_rle.dcm');
    const native = load('rtdose.dcm');
    expect(i.numberOfFrames).toBe(15);
    for (const f of [0, 1, 14])
      expectSamePixels((await decodeStoredFrame(i, f)).pixels, (await decodeStoredFrame(native, f)).pixels, `frame ${f}`);
    expect(sum((await decodeStoredFrame(i, 0)).pixels)).toBe(101378000);
  });
});

describe('12-bit JPEG extended', () => {
  it('JPGExtended.dcm is within 1 of DCMTK dcmdjpeg on average', async () => {
    const frame = await decodeStoredFrame(load('JPGExtended.dcm'));
    expect(frame.pixels).toBeInstanceOf(Uint16Array);
    // dcmdjpeg decodes this file to a total of 3767007 over 262144 pixels (values 0-264).
    expect(Math.abs(sum(frame.pixels) - 3767007) / frame.pixels.length).toBeLessThan(0.2);
    expect(minMax(frame.pixels).max).toBeLessThanOrEqual(265);
  });
});

describe('other pixel layouts', () => {
  it('unpacks 1-bit segmentation frames, little and big endian alike', async () => {
    const le = await decodeStoredFrame(load('liver_1frame.dcm'));
    const be = await decodeStoredFrame(load('liver_expb_1frame.dcm'));
    expect(sum(le.pixels)).toBe(36233);
    expectSamePixels(be.pixels, le.pixels);
    expect(minMax(le.pixels)).toEqual({ min: 0, max: 1 });
  });

  it('interleaves colour-by-plane native data', async () => {
    const frame = await decodeStoredFrame(load('ExplVR_BigEnd.dcm'));
    expect(Array.from(frame.pixels.subarray(0, 6))).toEqual([171, 171, 171, 173, 173, 173]);
    const at = (59 * 80 + 37) * 3; // pydicom: pixel_array[59, 37] == [255, 220, 0]
    expect(Array.from(frame.pixels.subarray(at, at + 3))).toEqual([255, 220, 0]);
    expect(sum(frame.pixels)).toBe(2470716);
  });

  it('expands YBR_FULL_422 native data to one Y Cb Cr triple per pixel', async () => {
    const frame = await decodeStoredFrame(load('SC_ybr_full_422_uncompressed.dcm'));
    expect(frame.photometricInterpretation).toBe('YBR_FULL');
    expect(Array.from(frame.pixels.subarray(0, 6))).toEqual([76, 85, 255, 76, 85, 255]);
    expect(sum(frame.pixels)).toBe(3836400);
    const lum = await decodeFrame(load('SC_ybr_full_422_uncompressed.dcm'));
    expect(lum.pixels[0]).toBe(76); // YBR luminance is the Y sample
  });

  it('gives the same colour image from JPEG baseline RGB and YCbCr encodings', async () => {
    const rgb = await decodeFrame(load('SC_rgb_dcmtk_+eb+cr.dcm'));
    const ybr = await decodeFrame(load('SC_rgb_dcmtk_+eb+cy+n1.dcm'));
    expect(differences(rgb.pixels, ybr.pixels).mean).toBeLessThan(2);
  });
});
