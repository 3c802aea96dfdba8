// Public API of the DICOM reader: parse, decode, geometry, stacks. The only module that touches dicom-parser and
// the codecs; callers never see a dicom-parser object or a patient-identifying attribute other than
// `identifiers.patientId`, which is meant to be HMAC'd and dropped.

export { parseDicom } from './parse.js';
export { readDicomFile, type DicomFile } from './read-file.js';
export { decodeFrame, decodeStoredFrame, toModalityFrame, type StoredFrame, type StoredPixelArray } from './decode.js';
export { hasGeometry, type DicomIdentifiers, type DicomInstance, type DicomStrata, type ImageOrientation } from './instance.js';
export {
  columnDirection,
  createSliceGeometry,
  imageCentre,
  patientToPixel,
  pixelToPatient,
  positionAlong,
  rowDirection,
  sliceAffine,
  sliceNormal,
  slicePosition,
  type PlaneProjection,
  type SliceAffine,
} from './geometry.js';
export { classifyNormal, classifyOrientation, DEFAULT_OBLIQUE_ABOVE_DEG, type PlaneOrientation } from './orientation.js';
export { nearestSlice, orderIntoStacks, type NearestSlice, type Stack, type StackItem, type StackOptions } from './stacks.js';
export { supportedTransferSyntaxes, transferSyntaxInfo, TS, type TransferSyntaxInfo } from './transfer-syntax.js';
