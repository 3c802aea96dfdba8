// DICOM files as a hospital exports them: besides the image, the patient's name, IDs, birth date, address and
// phone, the institution, three physicians' and operators' names, accession number, dates, a device serial and
// free text naming the patient. The identifying values the PHI test then hunts for are read back from the files
// themselves (readIdentifyingValues), so the hunt covers exactly what was written.
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import dicomParser, { type DataSet } from 'dicom-parser';
import { encodeDicomFile, tag, type DicomElement } from '../../src/synth/index.js';

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
/** A real-looking (not the synthetic 2.25) UID root, as scanners write. */
const UID_ROOT = '1.2.826.0.1.3680043.10.543.7731';

export const PLAIN_IDENTITY = {
  patientName: 'KOWALCZYK^MARIANNE^ILSE^^MRS',
  patientId: 'MRN-48213977',
  otherPatientIds: 'NHS-9434765919',
  birthDate: '19610423',
  address: '17 LARKSPUR LANE^DULUTH^MN^55803',
  phone: '+12185550147',
  institution: 'ST WENDELIN SPINE CLINIC',
  institutionAddress: '400 HARBOR DRIVE, DULUTH MN 55802',
  referringPhysician: 'OYELARAN^BABATUNDE^^DR',
  performingPhysician: 'HALVORSEN^TRYGVE',
  operator: 'QUISPE^ROSALIND',
  accession: 'ACC77120931',
  studyId: 'EXAM5521',
  studyDate: '20230917',
  studyTime: '101532',
  station: 'WENDELIN-MR1',
  deviceSerial: 'SN99118822',
  studyDescription: 'MR L-SPINE KOWALCZYK FOLLOW-UP',
  history: 'Referred by Dr Oyelaran after a fall at home on 2023-09-01; lives at 17 Larkspur Lane.',
  studyUid: `${UID_ROOT}.1`,
  seriesUid: `${UID_ROOT}.1.7`,
  frameOfReferenceUid: `${UID_ROOT}.1.9`,
} as const;

const SIZE = 64;
const SLICES = 3;

/** A sagittal T2 series of SLICES images under `dir`, every file carrying PLAIN_IDENTITY. */
export async function writeIdentifiedSeries(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const id = PLAIN_IDENTITY;
  const paths: string[] = [];
  for (let i = 0; i < SLICES; i++) {
    const sopUid = `${UID_ROOT}.1.7.${i + 1}`;
    const pixels = new Uint16Array(SIZE * SIZE);
    for (let p = 0; p < pixels.length; p++) pixels[p] = ((p % SIZE) * 7 + Math.floor(p / SIZE) * 3 + i * 50) % 1000;
    const elements: DicomElement[] = [
      { tag: tag(0x0008, 0x0008), vr: 'CS', value: ['ORIGINAL', 'PRIMARY'] },
      { tag: tag(0x0008, 0x0016), vr: 'UI', value: MR_IMAGE_STORAGE },
      { tag: tag(0x0008, 0x0018), vr: 'UI', value: sopUid },
      { tag: tag(0x0008, 0x0020), vr: 'DA', value: id.studyDate },
      { tag: tag(0x0008, 0x0030), vr: 'TM', value: id.studyTime },
      { tag: tag(0x0008, 0x0050), vr: 'SH', value: id.accession },
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MR' },
      { tag: tag(0x0008, 0x0080), vr: 'LO', value: id.institution },
      { tag: tag(0x0008, 0x0081), vr: 'ST', value: id.institutionAddress },
      { tag: tag(0x0008, 0x0090), vr: 'PN', value: id.referringPhysician },
      { tag: tag(0x0008, 0x1010), vr: 'SH', value: id.station },
      { tag: tag(0x0008, 0x1030), vr: 'LO', value: id.studyDescription },
      { tag: tag(0x0008, 0x103e), vr: 'LO', value: 'SAG T2' },
      { tag: tag(0x0008, 0x1050), vr: 'PN', value: id.performingPhysician },
      { tag: tag(0x0008, 0x1070), vr: 'PN', value: id.operator },
      { tag: tag(0x0010, 0x0010), vr: 'PN', value: id.patientName },
      { tag: tag(0x0010, 0x0020), vr: 'LO', value: id.patientId },
      { tag: tag(0x0010, 0x0030), vr: 'DA', value: id.birthDate },
      { tag: tag(0x0010, 0x0040), vr: 'CS', value: 'F' },
      { tag: tag(0x0010, 0x1000), vr: 'LO', value: id.otherPatientIds },
      { tag: tag(0x0010, 0x1010), vr: 'AS', value: '062Y' },
      { tag: tag(0x0010, 0x1040), vr: 'LO', value: id.address },
      { tag: tag(0x0010, 0x2154), vr: 'SH', value: id.phone },
      { tag: tag(0x0010, 0x21b0), vr: 'LT', value: id.history },
      { tag: tag(0x0018, 0x0015), vr: 'CS', value: 'LSPINE' },
      { tag: tag(0x0018, 0x0050), vr: 'DS', value: '4' },
      { tag: tag(0x0018, 0x0088), vr: 'DS', value: '4.4' },
      { tag: tag(0x0018, 0x1000), vr: 'LO', value: id.deviceSerial },
      { tag: tag(0x0020, 0x000d), vr: 'UI', value: id.studyUid },
      { tag: tag(0x0020, 0x000e), vr: 'UI', value: id.seriesUid },
      { tag: tag(0x0020, 0x0010), vr: 'SH', value: id.studyId },
      { tag: tag(0x0020, 0x0011), vr: 'IS', value: '7' },
      { tag: tag(0x0020, 0x0013), vr: 'IS', value: String(i + 1) },
      { tag: tag(0x0020, 0x0032), vr: 'DS', value: [String(-4.4 + i * 4.4), '-120', '120'] },
      { tag: tag(0x0020, 0x0037), vr: 'DS', value: ['0', '1', '0', '0', '0', '-1'] },
      { tag: tag(0x0020, 0x0052), vr: 'UI', value: id.frameOfReferenceUid },
      { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
      { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
      { tag: tag(0x0028, 0x0010), vr: 'US', value: SIZE },
      { tag: tag(0x0028, 0x0011), vr: 'US', value: SIZE },
      { tag: tag(0x0028, 0x0030), vr: 'DS', value: ['3.75', '3.75'] },
      { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
      { tag: tag(0x0028, 0x0101), vr: 'US', value: 12 },
      { tag: tag(0x0028, 0x0102), vr: 'US', value: 11 },
      { tag: tag(0x0028, 0x0103), vr: 'US', value: 0 },
      { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array(pixels.buffer) },
    ];
    const path = join(dir, `IM${String(i + 1).padStart(4, '0')}.dcm`);
    await writeFile(path, encodeDicomFile({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: sopUid }, elements));
    paths.push(path);
  }
  return paths;
}

/**
 * Attributes that identify a patient, a visit or a person at the site (after PS3.15 Annex E's basic profile):
 * names, IDs, dates and times, addresses, phone, institution, devices, free text and every instance UID.
 */
const IDENTIFYING_TAGS: Readonly<Record<string, string>> = {
  x00080018: 'SOPInstanceUID',
  x00080020: 'StudyDate',
  x00080021: 'SeriesDate',
  x00080030: 'StudyTime',
  x00080050: 'AccessionNumber',
  x00080080: 'InstitutionName',
  x00080081: 'InstitutionAddress',
  x00080090: 'ReferringPhysicianName',
  x00081010: 'StationName',
  x00081030: 'StudyDescription',
  x00081050: 'PerformingPhysicianName',
  x00081070: 'OperatorsName',
  x00100010: 'PatientName',
  x00100020: 'PatientID',
  x00100030: 'PatientBirthDate',
  x00101000: 'OtherPatientIDs',
  x00101040: 'PatientAddress',
  x00102154: 'PatientTelephoneNumbers',
  x001021b0: 'AdditionalPatientHistory',
  x00181000: 'DeviceSerialNumber',
  x0020000d: 'StudyInstanceUID',
  x0020000e: 'SeriesInstanceUID',
  x00200010: 'StudyID',
  x00200052: 'FrameOfReferenceUID',
};

export interface IdentifyingValue {
  readonly attribute: string;
  readonly value: string;
}

/** Every identifying attribute value found in the DICOM files under `dir` (deduplicated). */
export async function readIdentifyingValues(dir: string): Promise<IdentifyingValue[]> {
  const found = new Map<string, IdentifyingValue>();
  for (const path of await dicomFilesUnder(dir)) {
    const dataSet = parseAsFarAsPossible(new Uint8Array(await readFile(path)));
    for (const [t, attribute] of Object.entries(IDENTIFYING_TAGS)) {
      const value = stringOrUndefined(dataSet, t);
      if (value) found.set(`${attribute}|${value}`, { attribute, value });
    }
  }
  return [...found.values()];
}

/** An element cut off by the damage has no value to look for. */
function stringOrUndefined(dataSet: DataSet, t: string): string | undefined {
  try {
    return dataSet.string(t)?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A damaged file's attributes up to the damage: dicom-parser throws them along with the error. */
function parseAsFarAsPossible(bytes: Uint8Array): DataSet {
  try {
    return dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch (e) {
    const partial = (e as { dataSet?: DataSet } | null)?.dataSet;
    if (partial) return partial;
    throw e;
  }
}

export async function dicomFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.dcm')).map((e) => join(e.parentPath, e.name));
}
