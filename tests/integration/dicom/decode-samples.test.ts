// Pixel decoding of the dicomParser samples (tests/fixtures/dicom): every image decodes, every lossless encoding is pixel-identical to its
// uncompressed original (all frames), big endian equals little endian, lossy encodings stay close.

import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeStoredFrame, parseDicom, type DicomInstance, type StoredFrame } from '../../../src/dicom/index.js';
import { differences, expectSamePixels, pixelsDiffer, sum } from '../../unit/dicom/pixel-compare.js';
import { listSamples, sample } from '../../unit/dicom/samples.js';

const load = (relative: string): DicomInstance => parseDicom(sample(relative), relative);

async function allFrames(instance: DicomInstance): Promise<StoredFrame[]> {
  const frames: StoredFrame[] = [];
  for (let f = 0; f < instance.numberOfFrames; f++) frames.push(await decodeStoredFrame(instance, f));
  return frames;
}

describe('every sample with pixel data decodes, every frame', () => {
  const files = listSamples();
  const images = files.filter((f) => !/report_dfl|wave_dfl/.test(f));

  it.each(images.map((f) => [f]))('%s', async (relative) => {
    const instance = load(relative);
    expect(instance.hasPixelData).toBe(true);
    for (let f = 0; f < instance.numberOfFrames; f++) {
      const frame = await decodeFrame(instance, f);
      expect(frame.rows).toBe(instance.rows);
      expect(frame.columns).toBe(instance.columns);
      expect(frame.pixels).toBeInstanceOf(Float32Array);
      expect(frame.pixels.length).toBe(frame.rows * frame.columns);
      let min = Infinity;
      let max = -Infinity;
      for (const v of frame.pixels) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(Number.isFinite(min) && Number.isFinite(max)).toBe(true);
      expect(max).toBeGreaterThan(min); // a real image, not a blank buffer
    }
  });
});

describe('lossless encodings are pixel-identical to the original', () => {
  it.each([
    'CT1_UNC.implicit_little_endian.dcm',
    'CT1_UNC.explicit_big_endian.dcm',
    'encapsulated/single-frame/CT1_UNC.fragmented_bot_jpeg_ls.80.dcm',
    'encapsulated/single-frame/CT1_UNC.fragmented_no_bot_jpeg_ls.80.dcm',
    'encapsulated/single-frame/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm',
    'encapsulated/single-frame/CT1_UNC.not_fragmented_no_bot_jpeg_ls.80.dcm',
  ])('CT1_UNC: %s', async (relative) => {
    const original = await decodeStoredFrame(load('CT1_UNC.explicit_little_endian.dcm'));
    const other = await decodeStoredFrame(load(relative));
    expect(other.pixels).toBeInstanceOf(Int16Array);
    expectSamePixels(other.pixels, original.pixels);
    // pydicom's reading of the original: first pixels and total.
    expect(Array.from(other.pixels.subarray(0, 3))).toEqual([-2000, -2000, -2000]);
    expect(sum(other.pixels)).toBe(40028413);
  });

  it.each([
    'CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
    'CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
    'CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
    'CT0012.not_fragmented_bot_jpeg_ls.80.dcm',
    'CT0012.not_fragmented_no_bot_jpeg_ls.80.dcm',
    'CT0012.not_fragmented_bot_rle.dcm',
    'CT0012.not_fragmented_no_bot_rle.dcm',
  ])('CT0012 (2 frames): %s', async (name) => {
    const original = await allFrames(load('encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'));
    const other = await allFrames(load(`encapsulated/multi-frame/${name}`));
    expect(other).toHaveLength(2);
    expectSamePixels(other[0].pixels, original[0].pixels, 'frame 0');
    expectSamePixels(other[1].pixels, original[1].pixels, 'frame 1');
    expect(pixelsDiffer(other[0].pixels, other[1].pixels)).toBe(true); // the frames really are different frames
    expect(sum(original[0].pixels)).toBe(100826003); // pydicom
  });

  it('big endian equals little endian in modality values too', async () => {
    const le = await decodeFrame(load('CT1_UNC.explicit_little_endian.dcm'));
    const be = await decodeFrame(load('CT1_UNC.explicit_big_endian.dcm'));
    expectSamePixels(be.pixels, le.pixels);
    expect(le.pixels[0]).toBe(-2000 - 1024); // rescale intercept applied
  });

  it('the deflated image matches pydicom', async () => {
    const frame = await decodeStoredFrame(load('deflate/image_dfl'));
    expect(sum(frame.pixels)).toBe(33322688);
    expect(frame.pixels[100 * 512 + 37]).toBe(248);
  });
});

describe('lossy encodings stay close to the original', () => {
  it('JPEG-LS near-lossless (.81) is within its NEAR bound of 2', async () => {
    const original = await allFrames(load('encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'));
    const near = await allFrames(load('encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.81.dcm'));
    for (const f of [0, 1]) {
      const d = differences(original[f].pixels, near[f].pixels);
      expect(d.max).toBeGreaterThan(0);
      expect(d.max).toBeLessThanOrEqual(2);
    }
  });

  it('JPEG baseline 8-bit colour (.50, 8 frames) is close to the original in luminance', async () => {
    const original = load('encapsulated/multi-frame/IM00001.implicit_little_endian.dcm');
    const lossy = load('encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm');
    expect(lossy.numberOfFrames).toBe(8);
    for (let f = 0; f < 8; f++) {
      const d = differences((await decodeFrame(original, f)).pixels, (await decodeFrame(lossy, f)).pixels);
      expect(d.mean).toBeLessThan(2.5); // measured 1.45-1.63 on a 0-255 scale
      expect(d.max).toBeLessThan(30);
    }
  });

  it('JPEG extended 12-bit (.51) matches the original up to the shift DCMTK applied when encoding it', async () => {
    // dcmcjpeg +ee stored these 16-bit samples shifted by +1023 (DCMTK's own dcmdjpeg decodes the same shift).
    // What remains after removing it is the JPEG error; a decoder level-shift bug would show as a 15-unit bias.
    const original = await allFrames(load('encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'));
    const lossy = await allFrames(load('encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'));
    for (const f of [0, 1]) {
      const shifted = Uint16Array.from(original[f].pixels, (v) => v + 1023);
      const d = differences(shifted, lossy[f].pixels);
      expect(Math.abs(d.meanSigned)).toBeLessThan(0.2);
      expect(d.mean).toBeLessThan(1);
      expect(d.max).toBeLessThan(40);
    }
  });
});
