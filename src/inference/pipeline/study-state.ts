// Everything the pipeline learns about one study while it runs: its ordered stacks, decoded frames,
// keypoints, classifier votes and the reasons some inputs were unusable.
import type { ImageFrame } from '../../domain/image.js';
import type { Condition, Level, SeriesType, Side } from '../../domain/vocabulary.js';
import { orderIntoStacks } from '../../dicom/stacks.js';
import { orderStack, type OrderedStack, type SliceRef, type StudyInput } from '../stack.js';
import type { MissingKeypoint, StudyKeypoint, Unavailable } from '../types.js';

export interface Vote {
  readonly group: string;
  readonly probs: readonly [number, number, number];
  /** Slots the model saw as zeros because their ROI was unusable. */
  readonly zeroFilled: readonly Unavailable[];
}
export interface Miss {
  readonly group: string;
  readonly reason: Unavailable;
}

export const keypointKey = (series: SeriesType, level: Level, side: Side): string => `${series}|${level}|${side}`;
export const rowKey = (condition: Condition, level: Level): string => `${condition}|${level}`;

export class StudyState {
  readonly studyId: string;
  /** Per series type; sagittal types use their first stack (the one with most slices). */
  readonly stacks: ReadonlyMap<SeriesType, readonly OrderedStack[]>;
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
  ) {
    this.studyId = study.studyId;
    const byType = new Map<SeriesType, OrderedStack[]>();
    for (const s of study.stacks) {
      // A series handed over whole may hold several stacks (one tilted stack per disc): split it first.
      for (const part of orderIntoStacks(s.slices)) {
        const ordered = orderStack({ ...s, slices: part.items });
        byType.set(s.type, [...(byType.get(s.type) ?? []), ordered]);
      }
    }
    for (const list of byType.values()) list.sort((a, b) => b.slices.length - a.slices.length);
    this.stacks = byType;
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
