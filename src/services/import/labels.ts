// train.csv and train_label_coordinates.csv -> validated rows; every bad row is reported by line, never guessed.
import { basename } from 'node:path';
import {
  CONDITION_INFO,
  CONDITIONS,
  LEVEL_INFO,
  LEVELS,
  conditionFromCsv,
  levelFromCsv,
  severityFromCsv,
  type Condition,
  type Level,
  type Severity,
} from '../../domain/vocabulary.js';
import { readConfinedFile } from './confined-files.js';
import { parseCsv } from './csv.js';
import type { FileFailure } from './parsed-file.js';

export interface LabelCsvRow {
  readonly studyExternalId: string;
  readonly condition: Condition;
  readonly level: Level;
  readonly severity: Severity;
}

export interface CoordinateRow {
  readonly studyExternalId: string;
  readonly seriesExternalId: string;
  readonly instanceNumber: number;
  readonly condition: Condition;
  readonly level: Level;
  readonly x: number;
  readonly y: number;
}

// The CSVs sit at the import folder's top, so their base name is their path relative to it (never the server's).
function failure(path: string, line: number, reason: string): FileFailure {
  return { path: `${basename(path)}:${line}`, code: 'BAD_USER_INPUT', reason: `${basename(path)} line ${line}: ${reason}` };
}

/** The CSV's text, read only when it lies inside `boundary` (the import folder's real path). */
async function readCsvText(boundary: string, path: string): Promise<string> {
  return (await readConfinedFile(boundary, path)).toString('utf8');
}

export async function readLabels(boundary: string, path: string): Promise<{ rows: LabelCsvRow[]; failures: FileFailure[] }> {
  const { header, rows } = parseCsv(await readCsvText(boundary, path));
  const failures: FileFailure[] = [];
  const out: LabelCsvRow[] = [];
  if (!header.includes('study_id')) return { rows: [], failures: [failure(path, 1, 'no study_id column')] };
  const columns = new Map<string, { condition: Condition; level: Level }>();
  for (const condition of CONDITIONS)
    for (const level of LEVELS) columns.set(`${CONDITION_INFO[condition].key}_${LEVEL_INFO[level].key}`, { condition, level });
  const unknown = header.filter((h) => h !== 'study_id' && !columns.has(h));
  if (unknown.length) failures.push(failure(path, 1, `unknown column(s) ${unknown.join(', ')}`));
  for (const row of rows) {
    const study = row.values.study_id;
    if (!study) {
      failures.push(failure(path, row.line, 'empty study_id'));
      continue;
    }
    for (const [column, target] of columns) {
      const text = row.values[column];
      if (text === undefined || text === '') continue; // not graded
      const severity = severityFromCsv(text);
      if (!severity) {
        failures.push(failure(path, row.line, `unknown severity "${text}" in ${column} (expected Normal/Mild, Moderate or Severe)`));
        continue;
      }
      out.push({ studyExternalId: study, ...target, severity });
    }
  }
  return { rows: out, failures };
}

export async function readCoordinates(boundary: string, path: string): Promise<{ rows: CoordinateRow[]; failures: FileFailure[] }> {
  const { header, rows } = parseCsv(await readCsvText(boundary, path));
  const required = ['study_id', 'series_id', 'instance_number', 'condition', 'level', 'x', 'y'];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) return { rows: [], failures: [failure(path, 1, `missing column(s) ${missing.join(', ')}`)] };
  const failures: FileFailure[] = [];
  const out: CoordinateRow[] = [];
  for (const { line, values: v } of rows) {
    const condition = conditionFromCsv(v.condition);
    const level = levelFromCsv(v.level);
    const instanceNumber = Number(v.instance_number);
    const x = Number(v.x);
    const y = Number(v.y);
    const problems = [
      !condition && `unknown condition "${v.condition}"`,
      !level && `unknown level "${v.level}"`,
      !Number.isInteger(instanceNumber) && `instance_number "${v.instance_number}" is not an integer`,
      !(Number.isFinite(x) && Number.isFinite(y)) && `x, y "${v.x}", "${v.y}" are not numbers`,
      (!v.study_id || !v.series_id) && 'empty study_id or series_id',
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length || !condition || !level) {
      failures.push(failure(path, line, problems.join('; ')));
      continue;
    }
    out.push({ studyExternalId: v.study_id, seriesExternalId: v.series_id, instanceNumber, condition, level, x, y });
  }
  return { rows: out, failures };
}

export async function readSeriesDescriptions(boundary: string, paths: readonly string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const path of paths) {
    const { rows } = parseCsv(await readCsvText(boundary, path));
    for (const { values } of rows)
      if (values.study_id && values.series_id) map.set(`${values.study_id}/${values.series_id}`, values.series_description ?? '');
  }
  return map;
}
