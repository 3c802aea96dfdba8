// Types of row-slice.js for the TypeScript tests that import it (the dashboard itself is checked JS).
export interface RowSeries {
  id: string;
  type: string;
  instances: { id: string }[];
}
export interface RowKeypoint {
  level: string;
  side: string;
  source: string;
  seriesId: string;
  instanceId: string | null;
}
export interface RowLabelPoint {
  condition: string;
  level: string;
  seriesId: string;
  instanceId: string | null;
}
export function sliceOfRow(
  study: { series: RowSeries[]; keypoints: RowKeypoint[]; labelPoints: RowLabelPoint[] },
  condition: string,
  level: string,
): { seriesId: string; instanceId: string; from: 'label' | 'keypoint' } | null;
export function rowOfHash(hash: string): { condition: string; level: string } | null;
