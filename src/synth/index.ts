// Public surface of the synthetic dataset generator.
export { generateDataset, DEFAULT_IMAGE_SIZE } from './generate-dataset.js';
export type { DatasetSummary, GenerateDatasetOptions, SeriesSummary, StudySummary } from './generate-dataset.js';
export { planStudy } from './study-plan.js';
export type { StudyPlan, StudyRequest, PatientIdentity } from './study-plan.js';
export { renderStudyFiles, writeStudy } from './study-files.js';
export type { WrittenStudy, LabelCoordinateRow } from './study-files.js';
export { encodeDicomFile, tag, isValidUid } from './dicom-writer.js';
export type { DicomElement, FileMetaInfo } from './dicom-writer.js';
export type { SeverityOverrides, StudyGrades, LabelGrade } from './severity.js';
export { PREVALENCE } from './severity.js';
