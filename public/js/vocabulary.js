// The contract's enums in display order, with the names a reader sees.
// @ts-check

export const CONDITIONS = [
  'SPINAL_CANAL_STENOSIS',
  'LEFT_NEURAL_FORAMINAL_NARROWING',
  'RIGHT_NEURAL_FORAMINAL_NARROWING',
  'LEFT_SUBARTICULAR_STENOSIS',
  'RIGHT_SUBARTICULAR_STENOSIS',
];
export const LEVELS = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'];
export const SEVERITIES = ['NORMAL_MILD', 'MODERATE', 'SEVERE'];
export const SERIES_TYPES = ['SAGITTAL_T1', 'SAGITTAL_T2_STIR', 'AXIAL_T2'];

/** @type {Record<string, string>} */
export const CONDITION_NAMES = {
  SPINAL_CANAL_STENOSIS: 'Spinal canal stenosis',
  LEFT_NEURAL_FORAMINAL_NARROWING: 'Left foraminal narrowing',
  RIGHT_NEURAL_FORAMINAL_NARROWING: 'Right foraminal narrowing',
  LEFT_SUBARTICULAR_STENOSIS: 'Left subarticular stenosis',
  RIGHT_SUBARTICULAR_STENOSIS: 'Right subarticular stenosis',
};

/** @param {string} level */
export const levelName = (level) => level.replace('_', '/');

/** @type {Record<string, string>} */
export const SEVERITY_NAMES = { NORMAL_MILD: 'Normal/mild', MODERATE: 'Moderate', SEVERE: 'Severe' };

/** @type {Record<string, string>} */
export const SERIES_TYPE_NAMES = { SAGITTAL_T1: 'Sagittal T1', SAGITTAL_T2_STIR: 'Sagittal T2/STIR', AXIAL_T2: 'Axial T2', OTHER: 'Other' };

/** CSS class of a severity (colour plus a pattern for readers who cannot tell the colours apart). */
/** @param {string} severity */
export const severityClass = (severity) => `sev-${severity.toLowerCase().replace('_', '-')}`;

export const TERMINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
