// The three CSV files of the RSNA layout, in the Kaggle column order and spellings.
import { CONDITIONS, CONDITION_INFO, LEVELS, LEVEL_INFO, SEVERITY_CSV } from '../domain/vocabulary.js';
import type { WrittenStudy } from './study-files.js';

export const SERIES_DESCRIPTIONS_CSV = 'train_series_descriptions.csv';
export const LABELS_CSV = 'train.csv';
export const LABEL_COORDINATES_CSV = 'train_label_coordinates.csv';

export function seriesDescriptionsCsv(studies: readonly WrittenStudy[]): string {
  const lines = ['study_id,series_id,series_description'];
  for (const study of studies) {
    for (const series of study.series) lines.push(`${study.studyId},${series.seriesId},${series.description}`);
  }
  return lines.join('\n') + '\n';
}

export function labelsCsv(studies: readonly WrittenStudy[]): string {
  const columns: string[] = [];
  for (const condition of CONDITIONS) {
    for (const level of LEVELS) columns.push(`${CONDITION_INFO[condition].key}_${LEVEL_INFO[level].key}`);
  }
  const lines = [['study_id', ...columns].join(',')];
  for (const study of studies) {
    const cells = [String(study.studyId)];
    for (const condition of CONDITIONS) {
      for (const level of LEVELS) cells.push(SEVERITY_CSV[study.severities[condition][level]]);
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

export function labelCoordinatesCsv(studies: readonly WrittenStudy[]): string {
  const lines = ['study_id,series_id,instance_number,condition,level,x,y'];
  for (const study of studies) {
    for (const c of study.labelCoordinates) {
      lines.push(
        [
          study.studyId,
          c.seriesId,
          c.instanceNumber,
          CONDITION_INFO[c.condition].csvName,
          LEVEL_INFO[c.level].csvName,
          c.x.toFixed(6),
          c.y.toFixed(6),
        ].join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}
