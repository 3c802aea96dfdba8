// Label coordinates -> the keypoints inference would have found, so that ROIs and the axial slice choice are
// rendered around the labels by inference's own code (meta.roiCentres = "labels").
import { pixelToPatient } from '../../dicom/geometry.js';
import type { SliceGeometry } from '../../domain/image.js';
import { CONDITION_INFO, type Condition, type SeriesType } from '../../domain/vocabulary.js';
import type { ModelRole, SliceRef, StudyInput, StudyKeypoint } from '../../inference/index.js';
import type { LabelPoint } from './labelled-study.js';

/** Which keypoint model locates each condition's label, and on which series. */
export const LABEL_KEYPOINT_SOURCE: Readonly<Record<Condition, { readonly role: ModelRole; readonly series: SeriesType }>> = {
  SPINAL_CANAL_STENOSIS: { role: 'keypoints-sagittal-t2', series: 'SAGITTAL_T2_STIR' },
  LEFT_NEURAL_FORAMINAL_NARROWING: { role: 'keypoints-sagittal-t1', series: 'SAGITTAL_T1' },
  RIGHT_NEURAL_FORAMINAL_NARROWING: { role: 'keypoints-sagittal-t1', series: 'SAGITTAL_T1' },
  LEFT_SUBARTICULAR_STENOSIS: { role: 'keypoints-axial', series: 'AXIAL_T2' },
  RIGHT_SUBARTICULAR_STENOSIS: { role: 'keypoints-axial', series: 'AXIAL_T2' },
};

/** Every slice of the study by SOP Instance UID. */
export function slicesByUid(study: StudyInput): Map<string, { slice: SliceRef; seriesId: string; type: SeriesType }> {
  const out = new Map<string, { slice: SliceRef; seriesId: string; type: SeriesType }>();
  for (const stack of study.stacks)
    for (const slice of stack.slices) out.set(slice.sopInstanceUid, { slice, seriesId: stack.seriesId, type: stack.type });
  return out;
}

export interface LocatedLabel {
  readonly point: LabelPoint;
  readonly geometry: SliceGeometry;
  readonly keypoint: StudyKeypoint;
}

/**
 * Places each label point in patient space through its instance's geometry. A point whose instance is not in the
 * study, or sits on a series of the wrong type for its condition, is left out (returned in `unplaced`).
 */
export function locateLabels(study: StudyInput, points: readonly LabelPoint[]): { located: LocatedLabel[]; unplaced: LabelPoint[] } {
  const slices = slicesByUid(study);
  const located: LocatedLabel[] = [];
  const unplaced: LabelPoint[] = [];
  for (const p of points) {
    const found = slices.get(p.sopInstanceUid);
    const source = LABEL_KEYPOINT_SOURCE[p.condition];
    if (!found || found.type !== source.series || found.seriesId !== p.seriesId) {
      unplaced.push(p);
      continue;
    }
    const g = found.slice.geometry;
    located.push({
      point: p,
      geometry: g,
      keypoint: {
        role: source.role,
        level: p.level,
        side: CONDITION_INFO[p.condition].side,
        seriesType: source.series,
        seriesId: p.seriesId,
        sopInstanceUid: p.sopInstanceUid,
        instanceNumber: found.slice.instanceNumber,
        instanceId: found.slice.instanceId,
        pixel: { x: p.x, y: p.y },
        // normalize_coordinates.py: x_norm = x / Columns, y_norm = y / Rows of the labelled instance.
        normalized: { x: p.x / g.columns, y: p.y / g.rows },
        patientMm: pixelToPatient(g, p.x, p.y),
        score: 1,
      },
    });
  }
  return { located, unplaced };
}
