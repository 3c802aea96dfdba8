// GraphQL enums. Their values are the domain's (and Prisma's) strings, so no mapping is needed.
import { registerEnumType } from 'type-graphql';

export enum ConditionEnum {
  SPINAL_CANAL_STENOSIS = 'SPINAL_CANAL_STENOSIS',
  LEFT_NEURAL_FORAMINAL_NARROWING = 'LEFT_NEURAL_FORAMINAL_NARROWING',
  RIGHT_NEURAL_FORAMINAL_NARROWING = 'RIGHT_NEURAL_FORAMINAL_NARROWING',
  LEFT_SUBARTICULAR_STENOSIS = 'LEFT_SUBARTICULAR_STENOSIS',
  RIGHT_SUBARTICULAR_STENOSIS = 'RIGHT_SUBARTICULAR_STENOSIS',
}
export enum LevelEnum {
  L1_L2 = 'L1_L2',
  L2_L3 = 'L2_L3',
  L3_L4 = 'L3_L4',
  L4_L5 = 'L4_L5',
  L5_S1 = 'L5_S1',
}
export enum SeverityEnum {
  NORMAL_MILD = 'NORMAL_MILD',
  MODERATE = 'MODERATE',
  SEVERE = 'SEVERE',
}
export enum SeriesTypeEnum {
  SAGITTAL_T1 = 'SAGITTAL_T1',
  SAGITTAL_T2_STIR = 'SAGITTAL_T2_STIR',
  AXIAL_T2 = 'AXIAL_T2',
  OTHER = 'OTHER',
}
export enum JobKindEnum {
  IMPORT = 'IMPORT',
  INFERENCE = 'INFERENCE',
  TRAINING = 'TRAINING',
}
export enum JobStatusEnum {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
export enum SeveritySourceEnum {
  PREDICTED = 'PREDICTED',
  LABELLED = 'LABELLED',
}
export enum SideEnum {
  NONE = 'NONE',
  LEFT = 'LEFT',
  RIGHT = 'RIGHT',
}
export enum KeypointSourceEnum {
  MODEL = 'MODEL',
  MANUAL = 'MANUAL',
}

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
