// export model-inputs --coordinates predicted writes generate_coords.py's coordinates.csv. Its study and series ids
// come from folder names (anyone who writes an import folder picks them): a comma or a formula in one must neither add
// a field nor reach a spreadsheet as a formula (issue 20 item 4), and a plain numeric id must stay as it is.
import { describe, expect, it } from 'vitest';
import type { StudyKeypoint } from '../../../src/inference/types.js';
import { coordinateRows } from '../../../src/services/export/model-inputs.js';
import { parseCsv } from '../../../src/services/import/csv.js';

const HEADER = 'study_id,series_id,condition,level,x_norm,y_norm,instance_number,row_id';

const keypoint = (seriesId: string): StudyKeypoint => ({
  role: 'keypoints-sagittal-t2',
  level: 'L1_L2',
  side: 'NONE',
  seriesType: 'SAGITTAL_T2_STIR',
  seriesId,
  sopInstanceUid: '1.2.3',
  instanceNumber: 7,
  instanceId: undefined,
  pixel: { x: 10, y: 20 },
  normalized: { x: 0.25, y: -0.5 },
  patientMm: [0, 0, 0],
  score: 1,
});

function parsed(studyId: string, seriesExternalId: string): Readonly<Record<string, string>>[] {
  const rows = coordinateRows(studyId, [keypoint('s1')], new Map([['s1', seriesExternalId]]));
  return parseCsv(`${[HEADER, ...rows].join('\n')}\n`).rows.map((r) => r.values);
}

describe('coordinates.csv rows', () => {
  it('keep plain numeric ids and numbers as they are', () => {
    const rows = coordinateRows('4003253', [keypoint('s1')], new Map([['s1', '702807833']]));
    expect(rows).toHaveLength(25);
    expect(rows[0]).toBe('4003253,702807833,Spinal Canal Stenosis,L1/L2,0.25,-0.5,,spinal_canal_stenosis_l1_l2');
  });

  it('quote and neutralise hostile folder-name ids: 8 fields per row, no cell starting a formula', () => {
    const rows = parsed('@SUM(1+1)*cmd,x', '=HYPERLINK("http://x","y")');
    expect(rows).toHaveLength(25);
    for (const r of rows) expect(r.study_id).toBe("'@SUM(1+1)*cmd,x");
    // Every later field in its own column: an extra field would shift row_id.
    expect(rows[0]).toEqual({
      study_id: "'@SUM(1+1)*cmd,x",
      series_id: '\'=HYPERLINK("http://x","y")',
      condition: 'Spinal Canal Stenosis',
      level: 'L1/L2',
      x_norm: '0.25',
      y_norm: '-0.5',
      instance_number: '',
      row_id: 'spinal_canal_stenosis_l1_l2',
    });
  });
});
