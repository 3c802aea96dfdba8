// The competition's vocabulary and its spellings in the RSNA CSVs and the submission file.
// Values mirror the Prisma enums and the GraphQL contract (same strings everywhere).

export const CONDITIONS = [
  'SPINAL_CANAL_STENOSIS',
  'LEFT_NEURAL_FORAMINAL_NARROWING',
  'RIGHT_NEURAL_FORAMINAL_NARROWING',
  'LEFT_SUBARTICULAR_STENOSIS',
  'RIGHT_SUBARTICULAR_STENOSIS',
] as const;
export type Condition = (typeof CONDITIONS)[number];

export const LEVELS = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'] as const;
export type Level = (typeof LEVELS)[number];

export const SEVERITIES = ['NORMAL_MILD', 'MODERATE', 'SEVERE'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SERIES_TYPES = ['SAGITTAL_T1', 'SAGITTAL_T2_STIR', 'AXIAL_T2', 'OTHER'] as const;
export type SeriesType = (typeof SERIES_TYPES)[number];

export const SIDES = ['NONE', 'LEFT', 'RIGHT'] as const;
export type Side = (typeof SIDES)[number];

/** Where a severity comes from: the model (argmax) or the labels. */
export const SEVERITY_SOURCES = ['PREDICTED', 'LABELLED'] as const;
export type SeveritySource = (typeof SEVERITY_SOURCES)[number];

/** Who placed a keypoint: a model, or a person correcting it. */
export const KEYPOINT_SOURCES = ['MODEL', 'MANUAL'] as const;
export type KeypointSource = (typeof KEYPOINT_SOURCES)[number];

export type CoreCondition = 'spinal' | 'foraminal' | 'subarticular';

export interface ConditionInfo {
  readonly condition: Condition;
  /** Key in train.csv columns and submission row ids, e.g. `spinal_canal_stenosis`. */
  readonly key: string;
  /** Spelling in train_label_coordinates.csv, e.g. `Spinal Canal Stenosis`. */
  readonly csvName: string;
  readonly side: Side;
  readonly core: CoreCondition;
}

export const CONDITION_INFO: Readonly<Record<Condition, ConditionInfo>> = {
  SPINAL_CANAL_STENOSIS: {
    condition: 'SPINAL_CANAL_STENOSIS',
    key: 'spinal_canal_stenosis',
    csvName: 'Spinal Canal Stenosis',
    side: 'NONE',
    core: 'spinal',
  },
  LEFT_NEURAL_FORAMINAL_NARROWING: {
    condition: 'LEFT_NEURAL_FORAMINAL_NARROWING',
    key: 'left_neural_foraminal_narrowing',
    csvName: 'Left Neural Foraminal Narrowing',
    side: 'LEFT',
    core: 'foraminal',
  },
  RIGHT_NEURAL_FORAMINAL_NARROWING: {
    condition: 'RIGHT_NEURAL_FORAMINAL_NARROWING',
    key: 'right_neural_foraminal_narrowing',
    csvName: 'Right Neural Foraminal Narrowing',
    side: 'RIGHT',
    core: 'foraminal',
  },
  LEFT_SUBARTICULAR_STENOSIS: {
    condition: 'LEFT_SUBARTICULAR_STENOSIS',
    key: 'left_subarticular_stenosis',
    csvName: 'Left Subarticular Stenosis',
    side: 'LEFT',
    core: 'subarticular',
  },
  RIGHT_SUBARTICULAR_STENOSIS: {
    condition: 'RIGHT_SUBARTICULAR_STENOSIS',
    key: 'right_subarticular_stenosis',
    csvName: 'Right Subarticular Stenosis',
    side: 'RIGHT',
    core: 'subarticular',
  },
};

export interface LevelInfo {
  readonly level: Level;
  /** Suffix in train.csv columns and row ids, e.g. `l4_l5`. */
  readonly key: string;
  /** Spelling in train_label_coordinates.csv, e.g. `L4/L5`. */
  readonly csvName: string;
  /** Sag T1 classification slice offset from the stack middle, mm (9th-place solution). */
  readonly sagT1OffsetMm: number;
}

export const LEVEL_INFO: Readonly<Record<Level, LevelInfo>> = {
  L1_L2: { level: 'L1_L2', key: 'l1_l2', csvName: 'L1/L2', sagT1OffsetMm: 14.9 },
  L2_L3: { level: 'L2_L3', key: 'l2_l3', csvName: 'L2/L3', sagT1OffsetMm: 15.7 },
  L3_L4: { level: 'L3_L4', key: 'l3_l4', csvName: 'L3/L4', sagT1OffsetMm: 16.7 },
  L4_L5: { level: 'L4_L5', key: 'l4_l5', csvName: 'L4/L5', sagT1OffsetMm: 17.8 },
  L5_S1: { level: 'L5_S1', key: 'l5_s1', csvName: 'L5/S1', sagT1OffsetMm: 18.9 },
};

export const SEVERITY_CSV: Readonly<Record<Severity, string>> = {
  NORMAL_MILD: 'Normal/Mild',
  MODERATE: 'Moderate',
  SEVERE: 'Severe',
};

/** Sample weights of the competition metric and of the class-weighted training loss. */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { NORMAL_MILD: 1, MODERATE: 2, SEVERE: 4 };

export const SERIES_DESCRIPTION: Readonly<Record<Exclude<SeriesType, 'OTHER'>, string>> = {
  SAGITTAL_T1: 'Sagittal T1',
  SAGITTAL_T2_STIR: 'Sagittal T2/STIR',
  AXIAL_T2: 'Axial T2',
};

const conditionByCsv = new Map(Object.values(CONDITION_INFO).map((c) => [c.csvName.toLowerCase(), c.condition]));
const conditionByKey = new Map(Object.values(CONDITION_INFO).map((c) => [c.key, c.condition]));
const levelByCsv = new Map(Object.values(LEVEL_INFO).map((l) => [l.csvName.toLowerCase(), l.level]));
const levelByKey = new Map(Object.values(LEVEL_INFO).map((l) => [l.key, l.level]));
const severityByCsv = new Map(Object.entries(SEVERITY_CSV).map(([s, csv]) => [csv.toLowerCase(), s as Severity]));

export function conditionFromCsv(text: string): Condition | undefined {
  const t = text.trim().toLowerCase();
  return conditionByCsv.get(t) ?? conditionByKey.get(t);
}
export function levelFromCsv(text: string): Level | undefined {
  const t = text.trim().toLowerCase();
  return levelByCsv.get(t) ?? levelByKey.get(t);
}
export function severityFromCsv(text: string): Severity | undefined {
  return severityByCsv.get(text.trim().toLowerCase());
}

/** Series type from a free-text series description (RSNA spellings and common PACS variants). */
export function seriesTypeFromDescription(description: string | undefined): SeriesType | undefined {
  if (!description) return undefined;
  const d = description.toLowerCase();
  if (/sag/.test(d) && /(t2|stir)/.test(d)) return 'SAGITTAL_T2_STIR';
  if (/sag/.test(d) && /t1/.test(d)) return 'SAGITTAL_T1';
  if (/(ax|tra)/.test(d) && /t2/.test(d)) return 'AXIAL_T2';
  return undefined;
}

/** `{study}_{condition}_{level}`, the submission row id. */
export function submissionRowId(studyExternalId: string, condition: Condition, level: Level): string {
  return `${studyExternalId}_${CONDITION_INFO[condition].key}_${LEVEL_INFO[level].key}`;
}

export function severityArgmax(p: readonly [number, number, number]): Severity {
  let best = 0;
  for (let i = 1; i < 3; i++) if (p[i] > p[best]) best = i;
  return SEVERITIES[best];
}
