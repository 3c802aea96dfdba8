// Reading the DICOM JSON model (PS3.18 F.2) that QIDO-RS and STOW-RS answer with.

export interface DicomJsonElement {
  readonly vr: string;
  readonly Value?: readonly unknown[];
}
export type DicomJsonDataset = Readonly<Record<string, DicomJsonElement | undefined>>;

/** Tags as QIDO writes them: 8 upper-case hex digits. */
export const JSON_TAG = {
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  RetrieveURL: '00081190',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  AvailableTransferSyntaxUID: '00083002',
} as const;

export function jsonString(d: DicomJsonDataset, tag: string): string | null {
  const v = d[tag]?.Value?.[0];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

export function jsonStrings(d: DicomJsonDataset, tag: string): string[] {
  return (d[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string');
}

export function jsonNumber(d: DicomJsonDataset, tag: string): number | null {
  const v = d[tag]?.Value?.[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function jsonSequence(d: DicomJsonDataset, tag: string): DicomJsonDataset[] {
  return (d[tag]?.Value ?? []).filter((v): v is DicomJsonDataset => typeof v === 'object' && v !== null);
}
