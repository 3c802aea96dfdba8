// The DICOM file of one synthetic MR image: what readers, the importer and the pipeline need, plus synthetic
// identifying attributes (patient name, ID, birth date, institution, physician) that the importer must strip.
import { endianness } from 'node:os';
import type { SeriesPlan, SlicePlan } from './acquisition.js';
import { encodeDicomFile, formatDecimalString, formatIntegerString, MR_IMAGE_STORAGE, tag, type DicomElement } from './dicom-writer.js';
import { MAX_PIXEL_VALUE } from './render.js';
import type { StudyPlan } from './study-plan.js';
import { deterministicUid } from './uid.js';

const ds = (values: readonly number[]): string[] => values.map(formatDecimalString);

export function seriesInstanceUid(plan: StudyPlan, series: SeriesPlan): string {
  return deterministicUid(plan.request.seed, plan.request.studyId, 'series', series.seriesId);
}

export function sopInstanceUid(plan: StudyPlan, series: SeriesPlan, slice: SlicePlan): string {
  return deterministicUid(plan.request.seed, plan.request.studyId, 'instance', series.seriesId, slice.instanceNumber);
}

function littleEndianBytes(pixels: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  if (endianness() === 'LE') return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1];
    swapped[i + 1] = bytes[i];
  }
  return swapped;
}

/** Window that shows soft tissue: centred a little above the median of the non-background pixels. */
function displayWindow(pixels: Uint16Array): { centre: number; width: number } {
  const histogram = new Uint32Array(MAX_PIXEL_VALUE + 1);
  let max = 0;
  for (const v of pixels) {
    histogram[v]++;
    if (v > max) max = v;
  }
  const threshold = max * 0.05;
  let count = 0;
  for (let v = Math.ceil(threshold); v <= max; v++) count += histogram[v];
  let seen = 0;
  let p99 = max;
  for (let v = Math.ceil(threshold); v <= max; v++) {
    seen += histogram[v];
    if (seen >= count * 0.99) {
      p99 = v;
      break;
    }
  }
  return { centre: Math.round(p99 / 2), width: Math.max(1, Math.round(p99)) };
}

export function encodeInstance(plan: StudyPlan, series: SeriesPlan, slice: SlicePlan, pixels: Uint16Array): Buffer {
  const { identity, request } = plan;
  const g = slice.geometry;
  if (pixels.length !== g.rows * g.columns) throw new RangeError('pixel count does not match the geometry');
  const sopUid = sopInstanceUid(plan, series, slice);
  const window = displayWindow(pixels);
  const elements: DicomElement[] = [
    { tag: tag(0x0008, 0x0008), vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'M', 'ND'] },
    { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
    { tag: tag(0x0008, 0x0018), vr: 'UI', value: sopUid },
    { tag: tag(0x0008, 0x0020), vr: 'DA', value: identity.studyDate },
    { tag: tag(0x0008, 0x0021), vr: 'DA', value: identity.studyDate },
    { tag: tag(0x0008, 0x0030), vr: 'TM', value: identity.studyTime },
    { tag: tag(0x0008, 0x0050), vr: 'SH', value: identity.accessionNumber },
    { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
    { tag: tag(0x0008, 0x0070), vr: 'LO', value: plan.scanner.manufacturer },
    { tag: tag(0x0008, 0x0080), vr: 'LO', value: identity.institutionName },
    { tag: tag(0x0008, 0x0090), vr: 'PN', value: identity.referringPhysicianName },
    { tag: tag(0x0008, 0x103e), vr: 'LO', value: series.description },
    { tag: tag(0x0010, 0x0010), vr: 'PN', value: identity.patientName },
    { tag: tag(0x0010, 0x0020), vr: 'LO', value: identity.patientId },
    { tag: tag(0x0010, 0x0030), vr: 'DA', value: identity.birthDate },
    { tag: tag(0x0010, 0x0040), vr: 'CS', value: identity.sex },
    { tag: tag(0x0010, 0x1010), vr: 'AS', value: identity.age },
    { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'LSPINE' },
    { tag: tag(0x0018, 0x0020), vr: 'CS', value: series.sequence === 'STIR' ? ['SE', 'IR'] : 'SE' },
    { tag: tag(0x0018, 0x0023), vr: 'CS', value: '2D' },
    { tag: tag(0x0018, 0x0050), vr: 'DS', value: formatDecimalString(series.sliceThickness) },
    { tag: tag(0x0018, 0x0080), vr: 'DS', value: formatDecimalString(series.repetitionTime) },
    { tag: tag(0x0018, 0x0081), vr: 'DS', value: formatDecimalString(series.echoTime) },
    { tag: tag(0x0018, 0x0087), vr: 'DS', value: formatDecimalString(plan.scanner.fieldStrength) },
    { tag: tag(0x0018, 0x0088), vr: 'DS', value: formatDecimalString(series.spacingBetweenSlices) },
    { tag: tag(0x0018, 0x5100), vr: 'CS', value: 'HFS' },
    { tag: tag(0x0020, 0x000d), vr: 'UI', value: plan.studyInstanceUid },
    { tag: tag(0x0020, 0x000e), vr: 'UI', value: seriesInstanceUid(plan, series) },
    { tag: tag(0x0020, 0x0010), vr: 'SH', value: String(request.studyId).slice(-16) },
    { tag: tag(0x0020, 0x0011), vr: 'IS', value: formatIntegerString(series.seriesNumber) },
    { tag: tag(0x0020, 0x0012), vr: 'IS', value: '1' },
    { tag: tag(0x0020, 0x0013), vr: 'IS', value: formatIntegerString(slice.instanceNumber) },
    { tag: tag(0x0020, 0x0032), vr: 'DS', value: ds(g.imagePositionPatient) },
    { tag: tag(0x0020, 0x0037), vr: 'DS', value: ds(g.imageOrientationPatient) },
    { tag: tag(0x0020, 0x0052), vr: 'UI', value: plan.frameOfReferenceUid },
    { tag: tag(0x0020, 0x1041), vr: 'DS', value: formatDecimalString(slice.sliceLocation) },
    { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
    { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
    { tag: tag(0x0028, 0x0010), vr: 'US', value: g.rows },
    { tag: tag(0x0028, 0x0011), vr: 'US', value: g.columns },
    { tag: tag(0x0028, 0x0030), vr: 'DS', value: ds(g.pixelSpacing) },
    { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
    { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
    { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
    { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
    { tag: tag(0x0028, 0x1050), vr: 'DS', value: formatDecimalString(window.centre) },
    { tag: tag(0x0028, 0x1051), vr: 'DS', value: formatDecimalString(window.width) },
    { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: littleEndianBytes(pixels) },
  ];
  return encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: sopUid }, elements);
}
