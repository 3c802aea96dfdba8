// Where the pixel data of a test file sits in its bytes, so that tests can damage exactly the codestream, the
// fragment or a header value of a real file.

import dicomParser from 'dicom-parser';

export interface ByteRange {
  readonly position: number;
  readonly length: number;
}

/** The first fragment of encapsulated Pixel Data, or the whole value of native Pixel Data. */
export function firstFrameRange(bytes: Uint8Array): ByteRange {
  const element = dicomParser.parseDicom(bytes).elements.x7fe00010;
  if (!element) throw new Error('no Pixel Data');
  const fragment = element.fragments?.[0];
  return fragment ? { position: fragment.position, length: fragment.length } : { position: element.dataOffset, length: element.length };
}

/** Where the value of a top-level element sits (e.g. 'x00280010' for Rows). */
export function valueRange(bytes: Uint8Array, tag: string): ByteRange {
  const element = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' }).elements[tag];
  if (!element) throw new Error(`no element ${tag}`);
  return { position: element.dataOffset, length: element.length };
}

/** A copy of `bytes` with `edit` applied to the copy. */
export function edited(bytes: Uint8Array, edit: (copy: Uint8Array) => void): Uint8Array {
  const copy = Uint8Array.from(bytes);
  edit(copy);
  return copy;
}
