// Where each keypoint typically lies in a cohort, on a keypoint model's input grid: the mean label position per
// heatmap channel, from train_label_coordinates.csv. The benchmark's random-weight keypoint models add a bump there
// (bench/python/full_models.py, WithPositionalPrior) so that the pipeline does a trained set's work.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONDITION_INFO, LEVELS, conditionFromCsv, levelFromCsv } from '../../src/domain/vocabulary.js';

export type KeypointPriorRole = 'keypoints-sagittal-t2' | 'keypoints-sagittal-t1' | 'keypoints-axial';
/** Per role, per heatmap channel (the trainer's order: levels, or LEFT then RIGHT), [x, y] on the input grid. */
export type KeypointPriors = Record<KeypointPriorRole, [number, number][]>;

const AXIAL_CHANNELS = ['LEFT', 'RIGHT'] as const;

/**
 * `sourceSize`: rows = columns of every image of the cohort; `inputSize`: the keypoint models' H = W. Pixel centres
 * map as inference maps them: x_in = (x_src + 0.5) * inputSize / sourceSize - 0.5.
 */
export async function keypointPriors(cohortRoot: string, sourceSize: number, inputSize: number): Promise<KeypointPriors> {
  const sums = new Map<string, { x: number; y: number; n: number }>();
  const text = await readFile(join(cohortRoot, 'train_label_coordinates.csv'), 'utf8');
  const toInput = (v: number) => ((v + 0.5) * inputSize) / sourceSize - 0.5;
  for (const line of text.trim().split('\n').slice(1)) {
    const [, , , conditionText, levelText, x, y] = line.split(',');
    const condition = conditionFromCsv(conditionText);
    const level = levelFromCsv(levelText);
    if (!condition || !level) continue;
    const info = CONDITION_INFO[condition];
    const key =
      info.core === 'spinal'
        ? `keypoints-sagittal-t2|${level}`
        : info.core === 'foraminal'
          ? `keypoints-sagittal-t1|${level}`
          : `keypoints-axial|${info.side}`;
    const s = sums.get(key) ?? { x: 0, y: 0, n: 0 };
    sums.set(key, { x: s.x + toInput(Number(x)), y: s.y + toInput(Number(y)), n: s.n + 1 });
  }
  const mean = (key: string): [number, number] => {
    const s = sums.get(key);
    if (!s) throw new Error(`${cohortRoot}: no label coordinates for ${key}`);
    return [Math.round((s.x / s.n) * 100) / 100, Math.round((s.y / s.n) * 100) / 100];
  };
  return {
    'keypoints-sagittal-t2': LEVELS.map((l) => mean(`keypoints-sagittal-t2|${l}`)),
    'keypoints-sagittal-t1': LEVELS.map((l) => mean(`keypoints-sagittal-t1|${l}`)),
    'keypoints-axial': AXIAL_CHANNELS.map((s) => mean(`keypoints-axial|${s}`)),
  };
}
