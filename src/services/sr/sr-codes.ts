// The coded concepts of spinegraph's SR (docs/dicom-sr.md lists them). DICOM (DCM) and SNOMED CT (SCT) codes
// where one exists for the concept; a local scheme (99SPINEGRAPH) where none does: the RSNA grading's combined
// "normal/mild" grade, the foraminal and subarticular conditions, the disc levels and the class probabilities.
import type { Condition, Level, Severity } from '../../domain/vocabulary.js';

export interface Code {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });
export const LOCAL_SCHEME = '99SPINEGRAPH';
const local = (value: string, meaning: string): Code => ({ value, scheme: LOCAL_SCHEME, meaning });

export const CODES = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUniqueIdentifier: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  findingSite: sct('363698007', 'Finding site'),
  laterality: sct('272741003', 'Laterality'),
  left: sct('7771000', 'Left'),
  right: sct('24028007', 'Right'),
  severity: sct('246112005', 'Severity'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  imageRegion: dcm('111030', 'Image Region'),
  comment: dcm('121106', 'Comment'),
  noUnits: { value: '1', scheme: 'UCUM', meaning: 'no units' } as Code,
} as const;

export const CONDITION_CODES: Readonly<Record<Condition, Code>> = {
  SPINAL_CANAL_STENOSIS: sct('18347007', 'Spinal stenosis of lumbar region'),
  LEFT_NEURAL_FORAMINAL_NARROWING: local('NFN', 'Neural foraminal narrowing'),
  RIGHT_NEURAL_FORAMINAL_NARROWING: local('NFN', 'Neural foraminal narrowing'),
  LEFT_SUBARTICULAR_STENOSIS: local('SAS', 'Subarticular stenosis'),
  RIGHT_SUBARTICULAR_STENOSIS: local('SAS', 'Subarticular stenosis'),
};

export const CONDITION_SIDE: Readonly<Record<Condition, 'NONE' | 'LEFT' | 'RIGHT'>> = {
  SPINAL_CANAL_STENOSIS: 'NONE',
  LEFT_NEURAL_FORAMINAL_NARROWING: 'LEFT',
  RIGHT_NEURAL_FORAMINAL_NARROWING: 'RIGHT',
  LEFT_SUBARTICULAR_STENOSIS: 'LEFT',
  RIGHT_SUBARTICULAR_STENOSIS: 'RIGHT',
};

export const LEVEL_CODES: Readonly<Record<Level, Code>> = {
  L1_L2: local('L1-L2', 'L1-L2 intervertebral disc level'),
  L2_L3: local('L2-L3', 'L2-L3 intervertebral disc level'),
  L3_L4: local('L3-L4', 'L3-L4 intervertebral disc level'),
  L4_L5: local('L4-L5', 'L4-L5 intervertebral disc level'),
  L5_S1: local('L5-S1', 'L5-S1 intervertebral disc level'),
};

export const SEVERITY_CODES: Readonly<Record<Severity, Code>> = {
  NORMAL_MILD: local('NORMAL_MILD', 'Normal or mild'),
  MODERATE: sct('6736007', 'Moderate'),
  SEVERE: sct('24484000', 'Severe'),
};

export const PROBABILITY_CODES: Readonly<Record<Severity, Code>> = {
  NORMAL_MILD: local('P_NORMAL_MILD', 'Probability of normal or mild'),
  MODERATE: local('P_MODERATE', 'Probability of moderate'),
  SEVERE: local('P_SEVERE', 'Probability of severe'),
};
