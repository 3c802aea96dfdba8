import type { KeypointRow } from '../api/loaders.js';
import type { Keypoint } from '../schema/study-detail.type.js';

/** A stored keypoint as the GraphQL Keypoint: patient coordinates as one vector. */
export function toKeypoint(row: Omit<KeypointRow, 'studyId'>): Keypoint {
  return { ...row, patientMm: [row.patientX, row.patientY, row.patientZ] };
}
