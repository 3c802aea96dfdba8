// QIDO-RS study search with patient-free criteria only: no name, birth date or patient id can be asked for,
// and the answer keeps only study-level facts (no patient attributes, no accession number).
import { AppError, badInput } from '../domain/errors.js';
import type { DicomwebClient } from './client.js';
import { JSON_TAG, jsonNumber, jsonString, jsonStrings, type DicomJsonDataset } from './dicom-json.js';

export interface StudySearchCriteria {
  /** Inclusive, YYYY-MM-DD. */
  readonly studyDateFrom?: string | null;
  readonly studyDateTo?: string | null;
  readonly modality?: string | null;
  readonly studyDescriptionContains?: string | null;
  /** Matched exactly at the source; never echoed, logged or stored. */
  readonly accessionNumber?: string | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}

export interface StudySearchHit {
  readonly studyInstanceUid: string;
  readonly studyDate: string | null;
  readonly modalities: readonly string[];
  readonly description: string | null;
  readonly seriesCount: number | null;
  readonly instanceCount: number | null;
}

export interface InstanceRef {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
}

export const MAX_SEARCH_RESULTS = 200;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isDicomUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID.test(uid);
}

function dicomDate(value: string, field: string): string {
  const m = DATE.exec(value);
  if (!m) throw badInput(`${field} must be a date like 2024-03-31`, { field });
  return `${m[1]}${m[2]}${m[3]}`;
}

/** A matching value without QIDO's wildcard and escape characters, so a user's text matches literally. */
function literal(value: string, field: string, max: number): string {
  const v = value.trim();
  if (!v || v.length > max || /[*?\\]/.test(v) || [...v].some((ch) => ch.charCodeAt(0) < 0x20))
    throw badInput(`${field} must be 1 to ${max} characters without * ? or \\`, { field });
  return v;
}

export function studySearchParams(c: StudySearchCriteria): URLSearchParams {
  const p = new URLSearchParams();
  const from = c.studyDateFrom ? dicomDate(c.studyDateFrom, 'studyDateFrom') : '';
  const to = c.studyDateTo ? dicomDate(c.studyDateTo, 'studyDateTo') : '';
  if (from && to && from > to) throw badInput('studyDateFrom is after studyDateTo', { field: 'studyDateFrom' });
  if (from || to) p.set('StudyDate', from === to ? from : `${from}-${to}`);
  if (c.modality) {
    if (!/^[A-Z]{2,16}$/.test(c.modality)) throw badInput('modality must be a DICOM modality code such as MR', { field: 'modality' });
    p.set('ModalitiesInStudy', c.modality);
  }
  if (c.studyDescriptionContains) p.set('StudyDescription', `*${literal(c.studyDescriptionContains, 'studyDescriptionContains', 64)}*`);
  if (c.accessionNumber) p.set('AccessionNumber', literal(c.accessionNumber, 'accessionNumber', 16));
  const limit = c.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_RESULTS)
    throw badInput(`limit must be 1 to ${MAX_SEARCH_RESULTS}`, { field: 'limit' });
  const offset = c.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw badInput('offset must be 0 or more', { field: 'offset' });
  p.set('limit', String(limit));
  if (offset) p.set('offset', String(offset));
  for (const t of [
    JSON_TAG.StudyDescription,
    JSON_TAG.ModalitiesInStudy,
    JSON_TAG.NumberOfStudyRelatedSeries,
    JSON_TAG.NumberOfStudyRelatedInstances,
  ])
    p.append('includefield', t);
  return p;
}

function isoDate(dicom: string | null): string | null {
  return dicom && /^\d{8}$/.test(dicom) ? `${dicom.slice(0, 4)}-${dicom.slice(4, 6)}-${dicom.slice(6, 8)}` : null;
}

export function studyHit(d: DicomJsonDataset): StudySearchHit | null {
  const uid = jsonString(d, JSON_TAG.StudyInstanceUID);
  if (!uid || !isDicomUid(uid)) return null;
  return {
    studyInstanceUid: uid,
    studyDate: isoDate(jsonString(d, JSON_TAG.StudyDate)),
    modalities: jsonStrings(d, JSON_TAG.ModalitiesInStudy),
    description: jsonString(d, JSON_TAG.StudyDescription),
    seriesCount: jsonNumber(d, JSON_TAG.NumberOfStudyRelatedSeries),
    instanceCount: jsonNumber(d, JSON_TAG.NumberOfStudyRelatedInstances),
  };
}

export async function searchStudies(
  client: DicomwebClient,
  criteria: StudySearchCriteria,
  signal?: AbortSignal,
): Promise<StudySearchHit[]> {
  const rows = await client.search('/studies', studySearchParams(criteria), 'the study search', signal);
  return rows.map(studyHit).filter((h): h is StudySearchHit => h !== null);
}

const INSTANCE_PAGE = 1000;

/** Every instance of a study, as (study, series, SOP) UIDs, page by page. */
export async function listStudyInstances(client: DicomwebClient, studyUid: string, signal?: AbortSignal): Promise<InstanceRef[]> {
  if (!isDicomUid(studyUid)) throw badInput(`"${studyUid.slice(0, 70)}" is not a DICOM UID`, { field: 'studyInstanceUids' });
  const out = new Map<string, InstanceRef>();
  for (let offset = 0; ; offset += INSTANCE_PAGE) {
    const before = out.size;
    const params = new URLSearchParams({ limit: String(INSTANCE_PAGE), includefield: JSON_TAG.SeriesInstanceUID });
    if (offset) params.set('offset', String(offset));
    const rows = await client.search(`/studies/${studyUid}/instances`, params, 'the instance list of a study', signal);
    for (const r of rows) {
      const series = jsonString(r, JSON_TAG.SeriesInstanceUID);
      const sop = jsonString(r, JSON_TAG.SOPInstanceUID);
      if (!series || !sop || !isDicomUid(series) || !isDicomUid(sop))
        throw new AppError('SERVICE_UNAVAILABLE', `DICOMweb source "${client.source.name}" listed an instance without valid UIDs`);
      out.set(sop, { studyInstanceUid: studyUid, seriesInstanceUid: series, sopInstanceUid: sop });
    }
    // A short page ends the list; so does a page with nothing new (an archive that ignores offset).
    if (rows.length < INSTANCE_PAGE || out.size === before) return [...out.values()];
  }
}
