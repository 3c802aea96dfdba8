// `spinegraph export model-inputs`: options -> the export service (src/services/export/model-inputs.ts).
import type { Config } from '../config.js';
import type { LoadedModelSet } from '../inference/index.js';
import { progressBar } from './progress-bar.js';

const size = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 8 || n > 2048) throw new Error(`${name} must be an integer from 8 to 2048, got ${text}`);
  return n;
};

export async function runModelInputsExport(
  config: Config,
  opts: { out: string; coordinates: string; modelSet?: string; keypointSize?: string; roiSize?: string; study?: string[] },
): Promise<string> {
  if (opts.coordinates !== 'labels' && opts.coordinates !== 'predicted')
    throw new Error(`--coordinates must be labels or predicted, got ${opts.coordinates}`);
  const keypointSize = size('--keypoint-size', opts.keypointSize, 512);
  const roiSize = size('--roi-size', opts.roiSize, 128);
  const { openReadyDatabase } = await import('../db/migrate-database.js');
  const { exportModelInputs, distinctLayouts, referenceLayouts } = await import('../services/export/model-inputs.js');
  const db = await openReadyDatabase(config.database);
  let set: LoadedModelSet | undefined;
  try {
    const useSet = opts.coordinates === 'predicted' || opts.modelSet !== undefined;
    if (useSet) {
      const { chooseModelSet } = await import('../services/inference/model-set-choice.js');
      const { openModelSet } = await import('../services/model-registry.service.js');
      const chosen = await chooseModelSet(db, config, opts.modelSet);
      if (chosen.notice) process.stderr.write(`${chosen.notice}\n`);
      set = await openModelSet(db, chosen.set, config.inference);
    }
    // The set's own layouts, unless sizes are asked for (then the reference layout at those sizes).
    const sized = opts.keypointSize !== undefined || opts.roiSize !== undefined;
    const layouts = set && !sized ? distinctLayouts(set.models.map((m) => m.manifest)) : referenceLayouts({ keypointSize, roiSize });
    const bar = progressBar('model-inputs');
    const result = await exportModelInputs(db, {
      outDir: opts.out,
      coordinates: opts.coordinates,
      studies: opts.study,
      layouts,
      keypointModels: set,
      onStudy: (d, t) => bar.update(d / t, `${d} of ${t} studies`),
    });
    bar.done();
    return `wrote ${result.samples} samples of ${result.studies} studies (${opts.coordinates} coordinates; ${result.skipped} samples had no usable input) to ${opts.out}; index: ${result.indexPath}\n`;
  } finally {
    await set?.release();
    await db.close();
  }
}
