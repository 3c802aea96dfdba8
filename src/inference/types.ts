// What the pipeline hands back for a study.
import type { Vec3 } from '../domain/image.js';
import type { Condition, Level, SeriesType, Side } from '../domain/vocabulary.js';
import type { PixelPoint } from './preprocess/pixel-map.js';
import type { ModelRole } from './roles.js';

/** Why an input could not be used. The codes are stable (they end up in stored rows). */
export type FallbackCode =
  | 'NO_SERIES' // the study has no stack of the series type a model needs
  | 'SLICE_LOAD_FAILED' // a slice's pixels could not be loaded or decoded
  | 'AXIAL_PROJECTION_MISS' // no axial slice within the allowed distance of the Sag T2 keypoint
  | 'ROI_OUT_OF_BOUNDS' // the ROI box crosses the image edge (the seed leaves such an ROI zero)
  | 'KEYPOINT_MISSING' // the keypoint a view is centred on could not be found
  | 'NO_MODEL' // the model set has no model for this input or output
  | 'MODEL_ERROR'; // preparing the inputs or running the model failed

export interface Unavailable {
  readonly code: FallbackCode;
  readonly message: string;
}

export const isUnavailable = (x: unknown): x is Unavailable => typeof x === 'object' && x !== null && 'code' in x && 'message' in x;

export interface StudyKeypoint {
  readonly role: ModelRole;
  readonly level: Level;
  readonly side: Side;
  readonly seriesType: SeriesType;
  readonly seriesId: string;
  /** The slice the point lies on. */
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | undefined;
  readonly instanceId: string | undefined;
  /** In that slice's own pixel grid (x = column, y = row). */
  readonly pixel: PixelPoint;
  /**
   * The seed's coordinates: x / columns, y / rows of that slice (generate_coords.py's x_norm, y_norm). ROIs are
   * centred on these times the columns and rows of the ROI window's first slice. Derived from `pixel` when absent.
   */
  readonly normalized?: PixelPoint;
  /** Patient space (DICOM LPS), mm. */
  readonly patientMm: Vec3;
  /** Peak height of the (fold-averaged) heatmap. */
  readonly score: number;
}

export interface MissingKeypoint {
  readonly role: ModelRole;
  readonly level: Level | undefined;
  readonly side: Side;
  readonly reason: Unavailable;
}

export interface PredictionRow {
  readonly condition: Condition;
  readonly level: Level;
  readonly normalMild: number;
  readonly moderate: number;
  readonly severe: number;
  /** Set when an input was missing or unusable: how the row was produced and why. */
  readonly fallback?: string;
  readonly fallbackCodes: readonly FallbackCode[];
  /** Model groups (architecture x role, each a fold mean) that graded this row, out of those that should have. */
  readonly modelsUsed: number;
  readonly modelsExpected: number;
  /** Each ensemble member's (model x fold) own probabilities, softmax of its logits; absent for the prior. */
  readonly members?: readonly (readonly [number, number, number])[];
}

export interface StageTimings {
  /** Busy milliseconds per stage; stages overlap (models run while the next inputs are prepared). */
  readonly stagesMs: Readonly<Record<string, number>>;
  /** Wall time of the batch this study ran in. */
  readonly wallMs: number;
  readonly studiesInBatch: number;
}

export interface StudyResult {
  readonly studyId: string;
  /** Always 25 rows: every condition at every level. */
  readonly predictions: readonly PredictionRow[];
  readonly keypoints: readonly StudyKeypoint[];
  readonly missingKeypoints: readonly MissingKeypoint[];
  /** Inputs used with a caveat (e.g. an ROI whose box crosses the image edge from some slice on: zero there, as in the seed). */
  readonly warnings: readonly string[];
  readonly timings: StageTimings;
}
