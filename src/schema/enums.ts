// GraphQL enums, registered from the domain vocabulary: each is an object of its values (KEY: 'KEY', in the
// vocabulary's order) and a type that is the domain's own union, so a domain value is a GraphQL value as it is.
import { registerEnumType } from 'type-graphql';
import { JOB_KINDS, JOB_STATUSES, type JobKind, type JobStatus } from '../domain/job.js';
import {
  CONDITIONS,
  KEYPOINT_SOURCES,
  LEVELS,
  SERIES_TYPES,
  SEVERITIES,
  SEVERITY_SOURCES,
  SIDES,
  type Condition,
  type KeypointSource,
  type Level,
  type SeriesType,
  type Severity,
  type SeveritySource,
  type Side,
} from '../domain/vocabulary.js';
import { MANUFACTURERS, SEXES, STRATIFIERS, type Manufacturer, type Sex, type Stratifier } from '../domain/stratifiers.js';

function enumOf<const V extends string>(values: readonly V[]): { readonly [K in V]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as { readonly [K in V]: K };
}

export const ConditionEnum = enumOf(CONDITIONS);
export type ConditionEnum = Condition;
export const LevelEnum = enumOf(LEVELS);
export type LevelEnum = Level;
export const SeverityEnum = enumOf(SEVERITIES);
export type SeverityEnum = Severity;
export const SeriesTypeEnum = enumOf(SERIES_TYPES);
export type SeriesTypeEnum = SeriesType;
export const JobKindEnum = enumOf(JOB_KINDS);
export type JobKindEnum = JobKind;
export const JobStatusEnum = enumOf(JOB_STATUSES);
export type JobStatusEnum = JobStatus;
export const SeveritySourceEnum = enumOf(SEVERITY_SOURCES);
export type SeveritySourceEnum = SeveritySource;
export const SideEnum = enumOf(SIDES);
export type SideEnum = Side;
export const KeypointSourceEnum = enumOf(KEYPOINT_SOURCES);
export type KeypointSourceEnum = KeypointSource;

export const StratifierEnum = enumOf(STRATIFIERS);
export type StratifierEnum = Stratifier;
/** The filter's values: the stored ones and UNKNOWN (studies without the attribute). */
export const SexEnum = enumOf([...SEXES, 'UNKNOWN'] as const);
export type SexEnum = Sex | 'UNKNOWN';
export const ManufacturerEnum = enumOf([...MANUFACTURERS, 'UNKNOWN'] as const);
export type ManufacturerEnum = Manufacturer | 'UNKNOWN';

registerEnumType(ConditionEnum, { name: 'Condition' });
registerEnumType(LevelEnum, { name: 'Level' });
registerEnumType(SeverityEnum, { name: 'Severity' });
registerEnumType(SeriesTypeEnum, { name: 'SeriesType' });
registerEnumType(JobKindEnum, { name: 'JobKind' });
registerEnumType(JobStatusEnum, { name: 'JobStatus' });
registerEnumType(SeveritySourceEnum, {
  name: 'SeveritySource',
  description: 'Where a severity comes from: the model (argmax) or the labels.',
});
registerEnumType(SideEnum, { name: 'Side' });
registerEnumType(KeypointSourceEnum, { name: 'KeypointSource' });
registerEnumType(StratifierEnum, {
  name: 'Stratifier',
  description: 'A non-identifying attribute captured at import that a cohort can be grouped by (groupBy).',
});
registerEnumType(SexEnum, { name: 'Sex', description: 'DICOM PatientSex: F, M, O; UNKNOWN: not captured.' });
registerEnumType(ManufacturerEnum, {
  name: 'Manufacturer',
  description: 'The scanner vendor, reduced from DICOM Manufacturer (TOSHIBA counts as CANON, FUJIFILM as HITACHI).',
});
