// Issue 20, items 11-14 at parse time: a per-file budget (frames, nesting, elements, frame size, time), the Image
// Pixel module's consistency, truncation named as such, deep nesting refused in words, mosaics refused.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { parseDicom } from '../../../src/dicom/index.js';
import { DEFAULT_PARSE_BUDGET } from '../../../src/dicom/parse-budget.js';
import { mrImage, words, writeDicom, type Element } from './dicom-writer.js';
import { valueRange } from './pixel-data-bytes.js';
import { sample } from './samples.js';

function parseError(bytes: Uint8Array, name: string, budget = DEFAULT_PARSE_BUDGET): AppError {
  let thrown: unknown;
  try {
    parseDicom(bytes, name, budget);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${name} should be refused`).toBeInstanceOf(AppError);
  const err = thrown as AppError;
  expect(err.message).toMatch(new RegExp(`^${name}: `));
  expect(err.message).not.toMatch(/Maximum call stack|TypeError|undefined/);
  return err;
}

const invalid = (bytes: Uint8Array, name: string, reason: RegExp, budget = DEFAULT_PARSE_BUDGET): void => {
  const err = parseError(bytes, name, budget);
  expect(err.code).toBe('INVALID_DICOM');
  expect(err.message).toMatch(reason);
};

const ITEM = 0xfffee000;
/** Bytes of a defined-length explicit-LE sequence value holding `items`. */
function sequence(items: readonly Element[][]): Uint8Array {
  const parts = items.map((item) => writeDicom(item, { part10: false }));
  const out = new Uint8Array(parts.reduce((n, p) => n + 8 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint16(at, ITEM >>> 16, true);
    view.setUint16(at + 2, ITEM & 0xffff, true);
    view.setUint32(at + 4, p.length, true);
    out.set(p, at + 8);
    at += 8 + p.length;
  }
  return out;
}

/** `depth` sequences nested inside each other, with undefined lengths, as one sequence value. */
function nestedSequences(depth: number): Uint8Array {
  const open = [0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
  const close = [0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
  const inner = new Uint8Array((depth - 1) * (open.length + close.length));
  for (let d = 0; d < depth - 1; d++) {
    inner.set(open, d * open.length);
    inner.set(close, (depth - 1) * open.length + d * close.length);
  }
  return withItem(inner);
}
/** One item (undefined length) wrapping `content`, for the outermost, defined-length sequence. */
function withItem(content: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + content.length + 8);
  out.set([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
  out.set(content, 8);
  out.set([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0], 8 + content.length);
  return out;
}

const image = (extra: Element[] = [], rows = 2, columns = 2, pixelData = words([1, 2, 3, 4])): Uint8Array =>
  writeDicom(mrImage({ rows, columns, pixelData, extra }));

describe('Number of Frames', () => {
  const sharedGroups: Element = [
    0x52009229,
    'SQ',
    { bytes: sequence([[[0x00289110, 'SQ', { bytes: sequence([[[0x00280030, 'DS', '0.5\\0.5']]]) }]]]) },
  ];

  it.each([2 ** 31 - 1, 3_000_000])(
    '%i frames on an enhanced object are refused at once, before any per-frame loop',
    (frames) => {
      const started = performance.now();
      invalid(
        image([sharedGroups, [0x00280008, 'IS', String(frames)]]),
        'frames.dcm',
        /Number of Frames \d+ exceeds the per-file limit of 20000/,
      );
      expect(performance.now() - started).toBeLessThan(1000);
    },
    10_000,
  );

  it('within the limit, frames the Pixel Data cannot hold are refused before the per-frame geometry is built', () => {
    const started = performance.now();
    invalid(image([sharedGroups, [0x00280008, 'IS', '20000']]), 'frames.dcm', /Pixel Data holds 8 bytes, 160000 needed for 20000 frame/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.each(['NaN', '1A', '-3', '0', '2.5'])('"%s" is refused, not read as 1', (value) => {
    invalid(image([[0x00280008, 'IS', value]]), 'nan.dcm', /Number of Frames/);
  });

  it('encapsulated Pixel Data needs at least one fragment per frame', () => {
    // The two-frame JPEG-LS file (one fragment per frame) claiming 9 frames.
    const multi = sample('encapsulated/multi-frame/CT0012.not_fragmented_bot_jpeg_ls.80.dcm');
    const at = valueRange(multi, 'x00280008');
    const claimed = Uint8Array.from(multi);
    claimed.set(new TextEncoder().encode('9'.padEnd(at.length, ' ')), at.position);
    invalid(claimed, 'fragments.dcm', /Number of Frames 9 but the Pixel Data holds only 2 fragment/);
  });
});

describe('the Image Pixel module must be consistent', () => {
  it.each<[string, Element, RegExp]>([
    ['Bits Stored above Bits Allocated', [0x00280101, 'US', { us: [17] }], /Bits Stored 17 is not within 1\.\.Bits Allocated \(16\)/],
    ['Bits Stored 0', [0x00280101, 'US', { us: [0] }], /Bits Stored 0/],
    ['High Bit beyond Bits Allocated', [0x00280102, 'US', { us: [16] }], /High Bit 16 does not fit/],
    ['Pixel Representation 2', [0x00280103, 'US', { us: [2] }], /Pixel Representation 2 is neither 0/],
  ])('%s is refused', (_what, element, reason) => {
    invalid(image([element]), 'pixel-module.dcm', reason);
  });

  it('Bits Allocated missing is named, not "undefined"', () => {
    const bytes = writeDicom(mrImage({ rows: 2, columns: 2, pixelData: words([1, 2, 3, 4]) }).filter((e) => e[0] !== 0x00280100));
    invalid(bytes, 'no-bits.dcm', /Pixel Data present but Bits Allocated \(0028,0100\) missing/);
  });

  it('a frame larger than the budget is refused before anything allocates it', () => {
    const huge = [
      [0x00280010, 'US', { us: [65535] }],
      [0x00280011, 'US', { us: [65535] }],
    ] as Element[];
    invalid(image(huge), 'huge.dcm', /a frame of 65535x65535x1 samples exceeds the per-file limit/);
  });
});

describe('truncation is reported as truncation', () => {
  const ct = sample('CT1_UNC.explicit_little_endian.dcm');
  const pixelData = valueRange(ct, 'x7fe00010');
  const elementStart = pixelData.position - 12; // explicit VR OW: tag, VR, 2 reserved, 4-byte length

  it('a file cut right before Pixel Data', () => {
    invalid(ct.subarray(0, elementStart), 'cut.dcm', /truncated: it ends before Pixel Data \(7FE0,0010\)/);
  });

  it('a file cut inside an element', () => {
    invalid(ct.subarray(0, elementStart - 1), 'cut.dcm', /the file is truncated: it ends inside a data element/);
    invalid(ct.subarray(0, 1000), 'cut.dcm', /the file is truncated/);
  });
});

describe('the per-file parse budget', () => {
  it('sequences nested 5,000 deep are refused in words, not with a stack overflow', () => {
    invalid(
      image([[0x0040a730, 'SQ', { bytes: nestedSequences(5000) }]]),
      'deep.dcm',
      /sequences nested too deeply to read \(more than 32 levels\)/,
    );
  });

  it('sequences nested 40 deep (within the stack) are refused by the depth limit', () => {
    invalid(image([[0x0040a730, 'SQ', { bytes: nestedSequences(40) }]]), 'deep.dcm', /sequences nested more than 32 deep/);
  });

  it('12 levels of nesting are fine', () => {
    expect(parseDicom(image([[0x0040a730, 'SQ', { bytes: nestedSequences(12) }]]), 'ok.dcm').rows).toBe(2);
  });

  it('counts elements across sequence items', () => {
    const many: Element[] = Array.from({ length: 300 }, (_, i) => [0x00091000 + i, 'LO', 'x'] as Element);
    const bytes = image([[0x0040a730, 'SQ', { bytes: sequence([many, many]) }]]);
    expect(parseDicom(bytes, 'ok.dcm', { ...DEFAULT_PARSE_BUDGET, maxElements: 700 }).rows).toBe(2);
    invalid(bytes, 'many.dcm', /more than 500 data elements \(the per-file limit\)/, { ...DEFAULT_PARSE_BUDGET, maxElements: 500 });
  });

  it('stops a parse that runs out of time', () => {
    invalid(image(), 'slow.dcm', /parsing took more than -1 ms \(the per-file limit\)/, { ...DEFAULT_PARSE_BUDGET, maxMillis: -1 });
  });
});

describe('Siemens mosaics', () => {
  it('are refused with UNSUPPORTED_DICOM when Image Type says MOSAIC', () => {
    const err = parseError(image([[0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\M\\ND\\MOSAIC']]), 'mosaic.dcm');
    expect(err.code).toBe('UNSUPPORTED_DICOM');
    expect(err.message).toMatch(/Siemens mosaic .* is not supported/);
    expect(err.details).toMatchObject({ reason: 'SIEMENS_MOSAIC' });
  });

  it('are refused when the CSA header counts the images in the mosaic', () => {
    const csa: Element[] = [
      [0x00190010, 'LO', 'SIEMENS CSA HEADER'],
      [0x0019100a, 'US', { us: [36] }],
    ];
    expect(parseError(image(csa), 'mosaic.dcm').code).toBe('UNSUPPORTED_DICOM');
  });

  it('another vendor’s (0019,100A) is not a mosaic', () => {
    const other: Element[] = [
      [0x00190010, 'LO', 'GEMS_ACQU_01'],
      [0x0019100a, 'US', { us: [36] }],
    ];
    expect(parseDicom(image(other), 'ge.dcm').rows).toBe(2);
  });
});

describe('lazily read values of a damaged file', () => {
  it('a Part 10 file cut inside its meta group is INVALID_DICOM, not a bare dicom-parser string', () => {
    const jpeg = sample('encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm');
    const uid = valueRange(jpeg, 'x00020010');
    for (let cut = uid.position + 1; cut < uid.position + uid.length; cut++) {
      invalid(jpeg.subarray(0, cut), 'meta.dcm', /truncated|past end/);
    }
  });
});
