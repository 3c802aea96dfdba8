// Studies of an RSNA-layout folder (train_images/{study}/{series}/*.dcm + train_series_descriptions.csv) as the
// pipeline's StudyInput, without a database: geometry is read once up front (what an import stores), pixels are
// read, parsed and decoded on each load() exactly as the inference service does (readFrameFile, once loadFrame has
// resolved the storage URI), so the pipeline's `load` stage measures what it measures in production.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDicom } from '../../src/dicom/index.js';
import { seriesTypeFromDescription } from '../../src/domain/vocabulary.js';
import type { SeriesStack, SliceRef, StudyInput } from '../../src/inference/stack.js';
import { readFrameFile } from '../../src/services/inference/study-input.js';

/** series_id -> series_description from the Kaggle CSV (empty when the file is absent). */
async function seriesDescriptions(root: string): Promise<Map<string, string>> {
  const text = await readFile(join(root, 'train_series_descriptions.csv'), 'utf8').catch(() => '');
  const map = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [, seriesId, description] = line.split(',');
    if (seriesId && description) map.set(seriesId.trim(), description.trim());
  }
  return map;
}

async function seriesStack(dir: string, seriesId: string, csvDescription: string | undefined): Promise<SeriesStack | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.dcm')).sort();
  const slices: SliceRef[] = [];
  let spacing: number | undefined;
  let fileDescription: string | undefined;
  for (const file of files) {
    const path = join(dir, file);
    const instance = parseDicom(await readFile(path), path);
    if (!instance.geometry) continue;
    spacing ??= instance.spacingBetweenSlices;
    fileDescription ??= instance.seriesDescription;
    slices.push({
      sopInstanceUid: instance.sopInstanceUid,
      instanceNumber: instance.instanceNumber,
      instanceId: path,
      geometry: instance.geometry,
      load: () => readFrameFile(path, `instance ${file}`),
    });
  }
  const type = seriesTypeFromDescription(csvDescription) ?? seriesTypeFromDescription(fileDescription);
  if (!type || type === 'OTHER' || slices.length === 0) return undefined;
  return { seriesId, type, slices, ...(spacing !== undefined && spacing > 0 ? { spacingBetweenSlices: spacing } : {}) };
}

/** The first `limit` studies (by folder name) of an RSNA-layout folder; every series handed over whole. */
export async function rsnaStudyInputs(root: string, limit: number): Promise<StudyInput[]> {
  const descriptions = await seriesDescriptions(root);
  const images = join(root, 'train_images');
  const studyIds = (await readdir(images)).sort().slice(0, limit);
  const studies: StudyInput[] = [];
  for (const studyId of studyIds) {
    const stacks: SeriesStack[] = [];
    for (const seriesId of (await readdir(join(images, studyId))).sort()) {
      const stack = await seriesStack(join(images, studyId, seriesId), seriesId, descriptions.get(seriesId));
      if (stack) stacks.push(stack);
    }
    studies.push({ studyId, stacks });
  }
  return studies;
}
