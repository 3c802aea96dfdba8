// Where a (condition, level) row of a study is seen: the slice of its labelled point when there is one (the
// radiologist marked it for exactly this row), else the slice of the keypoint the pipeline placed for it (the series
// that grades the condition, the level, the side). Pure, so the review queue's "open at the row's slice" is testable
// apart from the DOM.
// @ts-check

/** The series type and side that grade each condition (the keypoint models that crop for its classifier). */
/** @type {Record<string, { type: string, side: string | null }>} */
const GRADED_ON = {
  SPINAL_CANAL_STENOSIS: { type: 'SAGITTAL_T2_STIR', side: null },
  LEFT_NEURAL_FORAMINAL_NARROWING: { type: 'SAGITTAL_T1', side: 'LEFT' },
  RIGHT_NEURAL_FORAMINAL_NARROWING: { type: 'SAGITTAL_T1', side: 'RIGHT' },
  LEFT_SUBARTICULAR_STENOSIS: { type: 'AXIAL_T2', side: 'LEFT' },
  RIGHT_SUBARTICULAR_STENOSIS: { type: 'AXIAL_T2', side: 'RIGHT' },
};

/**
 * @typedef {{ id: string, type: string, instances: { id: string }[] }} RowSeries
 * @typedef {{ level: string, side: string, source: string, seriesId: string, instanceId: string | null }} RowKeypoint
 * @typedef {{ condition: string, level: string, seriesId: string, instanceId: string | null }} RowLabelPoint
 */

/**
 * @param {{ series: RowSeries[], keypoints: RowKeypoint[], labelPoints: RowLabelPoint[] }} study
 * @param {string} condition @param {string} level
 * @returns {{ seriesId: string, instanceId: string, from: 'label' | 'keypoint' } | null} null: no point of the row lies on a slice of the study
 */
export function sliceOfRow(study, condition, level) {
  const onSlice = (/** @type {{ seriesId: string, instanceId: string | null }} */ p) =>
    p.instanceId !== null && study.series.some((s) => s.id === p.seriesId && s.instances.some((i) => i.id === p.instanceId));
  const label = study.labelPoints.find((p) => p.condition === condition && p.level === level && onSlice(p));
  if (label) return { seriesId: label.seriesId, instanceId: /** @type {string} */ (label.instanceId), from: 'label' };
  const graded = GRADED_ON[condition];
  if (!graded) return null;
  const typeOf = (/** @type {string} */ seriesId) => study.series.find((s) => s.id === seriesId)?.type;
  const candidates = study.keypoints.filter(
    (k) => k.level === level && typeOf(k.seriesId) === graded.type && (graded.side === null || k.side === graded.side) && onSlice(k),
  );
  // A reader's correction says where the point really is: prefer it to the model's.
  const keypoint = candidates.find((k) => k.source === 'MANUAL') ?? candidates[0];
  return keypoint ? { seriesId: keypoint.seriesId, instanceId: /** @type {string} */ (keypoint.instanceId), from: 'keypoint' } : null;
}

/**
 * The row a study view was opened for (`#/studies/<id>?condition=...&level=...`, as the review queue links), or null.
 * @param {string} hash
 */
export function rowOfHash(hash) {
  const query = hash.split('?')[1];
  if (!query) return null;
  const q = new URLSearchParams(query);
  const condition = q.get('condition');
  const level = q.get('level');
  return condition && level && GRADED_ON[condition] ? { condition, level } : null;
}
