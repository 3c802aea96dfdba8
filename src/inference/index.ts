// spinegraph's inference library: the RSNA 2024 9th-place pipeline on onnxruntime-node. No database, queue or
// GraphQL in here; a notebook or a job processor calls these functions. See README.md beside this file.
export type { SliceRef, SeriesStack, StudyInput, OrderedStack } from './stack.js';
export { orderStack } from './stack.js';
export type { FallbackCode, MissingKeypoint, PredictionRow, StageTimings, StudyKeypoint, StudyResult, Unavailable } from './types.js';
export { isUnavailable } from './types.js';
export { MODEL_ROLES, ROLE_SPECS, type ModelRole, type Sample } from './roles.js';
export { ROI_KINDS, type RoiKind, type SliceSelect, type ViewSpec } from './view-presets.js';
export {
  MANIFEST_FORMAT_VERSION,
  parseManifest,
  type ClassifierModelSpec,
  type KeypointModelSpec,
  type ModelManifest,
  type ModelSpec,
} from './manifest.js';
export {
  checkModelAgainstManifest,
  loadModelSet,
  MANIFEST_SUFFIX,
  MODEL_SET_FILE,
  readManifestFile,
  sha256File,
  type LoadedModel,
  type LoadedModelSet,
  type LoadModelSetOptions,
} from './model-set.js';
export { fmix32Input, verifyCheckFile } from './check-file.js';
export {
  openModelSession,
  SessionCache,
  type ExecutionProvider,
  type ModelSession,
  type RuntimeLogger,
  type RuntimeOptions,
} from './runtime/onnx-session.js';
export { runPipeline, runStudyPipeline, type PipelineOptions, type PipelineProgress } from './pipeline/run.js';
export { PREVALENCE_PRIOR } from './pipeline/prior.js';
export { inlinePreprocessor, WorkerPreprocessor, type Preprocessor } from './preprocess/preprocessor.js';
export {
  referenceManifest,
  referenceManifestJson,
  REFERENCE_ROIS,
  REFERENCE_VARIANTS,
  ROI_MM,
  AXIAL_MATCH_MAX_MM,
  SAG_T1_KEYPOINT_OFFSET_MM,
  type LayoutSizes,
} from './reference-layout.js';
export { renderStudySamples, type RenderedSample, type RenderedSlotInfo, type RenderedStudy } from './render-study.js';
export {
  benchmarkModels,
  benchmarkPipeline,
  distribution,
  type ModelBenchResult,
  type ModelBenchSpec,
  type PipelineBenchResult,
} from './bench.js';
// Preprocessing building blocks (pure functions).
export { CUBIC_A, resampleBicubic, type OutsidePolicy } from './preprocess/bicubic.js';
export { zscoreInPlace } from './preprocess/zscore.js';
export { aroundWindow, clampedWindow, middleWindow, offsetWindow, type SliceWindow } from './preprocess/slice-selection.js';
export { boxInside, cutOutMap, fullSliceMap, roundHalfEven, seedRoiBox, type RoiBox, type SourceGrid } from './preprocess/roi.js';
export { seedReverses, seedSeriesOf, type SeedSeries } from './seed-series.js';
export {
  applyAxis,
  composeAxis,
  resizeAxis,
  toSource,
  toTarget,
  type AxisMap,
  type PixelMap,
  type PixelPoint,
} from './preprocess/pixel-map.js';
export { heatmapPeak, type HeatmapPeak } from './keypoints/heatmap-peak.js';
