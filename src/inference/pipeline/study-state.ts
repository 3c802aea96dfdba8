// Everything the pipeline learns about one study while it runs: its series (in the seed's file order), decoded
// frames, keypoints, classifier votes and the reasons some inputs were unusable.
import type { ImageFrame } from '../../domain/image.js';
import type { Condition, Level, SeriesType, Side } from '../../domain/vocabulary.js';
import { seedSeriesOf, type SeedSeries } from '../seed-series.js';
import type { SliceRef, StudyInput } from '../stack.js';
import type { MissingKeypoint, StudyKeypoint, Unavailable } from '../types.js';

export interface Vote {
  readonly group: string;
  /** The model's three logits for the row, in SEVERITIES order (the ensemble averages logits, not probabilities). */
  readonly logits: readonly [number, number, number];
  /** The model's `ensembleWeight` (manifest; default 1). */
  readonly weight: number;
  /** Slots the model saw as zeros because their ROI was unusable. */
  readonly zeroFilled: readonly Unavailable[];
}
export interface Miss {
  readonly group: string;
  readonly reason: Unavailable;
}

export const keypointKey = (series: SeriesType, level: Level, side: Side): string => `${series}|${level}|${side}`;
export const rowKey = (condition: Condition, level: Level): string => `${condition}|${level}`;

/**
 * Where the axial keypoint input of a level is centred: 'projection' = the axial slice nearest the level's Sag T2
 * keypoint (inference, the seed's sagi_coord_to_axi_instance_number); 'keypoints' = the slice of the level's axial
 * keypoints (the seed's datasets reading a coordinates file: label instance numbers, or the projected ones
 * generate_coords.py wrote).
 */
export type AxialAnchor = 'projection' | 'keypoints';

export class StudyState {
  readonly studyId: string;
  /** Per series type, every series in the order the study lists them (the first is used when no keypoint names one). */
  readonly series: ReadonlyMap<SeriesType, readonly SeedSeries[]>;
  readonly keypoints = new Map<string, StudyKeypoint | Unavailable>();
  readonly keypointList: StudyKeypoint[] = [];
  readonly missingKeypoints: MissingKeypoint[] = [];
  readonly votes = new Map<string, Vote[]>();
  readonly misses = new Map<string, Miss[]>();
  readonly warnings = new Set<string>();
  private readonly frames = new Map<SliceRef, Promise<ImageFrame>>();

  /** `onDecoded` receives the milliseconds each slice load took (for the 'load' stage timing). */
  constructor(
    study: StudyInput,
    private readonly onDecoded: (ms: number) => void = () => undefined,
    readonly axialAnchor: AxialAnchor = 'projection',
  ) {
    this.studyId = study.studyId;
    this.series = seedSeriesOf(study);
  }

  seriesById(type: SeriesType, seriesId: string): SeedSeries | undefined {
    return this.series.get(type)?.find((s) => s.seriesId === seriesId);
  }

  /** Each slice is decoded once per run, however many views use it. */
  frame(slice: SliceRef): Promise<ImageFrame> {
    let f = this.frames.get(slice);
    if (!f) {
      const t0 = performance.now();
      f = slice.load().finally(() => this.onDecoded(performance.now() - t0));
      this.frames.set(slice, f);
      f.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    }
    return f;
  }

  addVote(condition: Condition, level: Level, vote: Vote): void {
    const k = rowKey(condition, level);
    this.votes.set(k, [...(this.votes.get(k) ?? []), vote]);
  }

  addMiss(condition: Condition, level: Level, miss: Miss): void {
    const k = rowKey(condition, level);
    this.misses.set(k, [...(this.misses.get(k) ?? []), miss]);
  }
}
