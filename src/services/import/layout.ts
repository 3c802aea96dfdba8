// What kind of folder an import points at: the Kaggle RSNA layout or a plain DICOM export.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface RsnaLayout {
  readonly kind: 'rsna';
  readonly root: string;
  /** `train_images` / `test_images` folders under the root. */
  readonly imageDirs: readonly string[];
  readonly seriesDescriptionsCsv: readonly string[];
  readonly labelsCsv: string | null;
  readonly coordinatesCsv: string | null;
}

export interface PlainLayout {
  readonly kind: 'plain';
  readonly root: string;
}

export type ImportLayout = RsnaLayout | PlainLayout;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function detectLayout(root: string): Promise<ImportLayout> {
  const entries = await readdir(root, { withFileTypes: true });
  const imageDirs = entries.filter((e) => e.isDirectory() && /_images$/.test(e.name)).map((e) => join(root, e.name));
  if (imageDirs.length === 0) return { kind: 'plain', root };
  const csv = async (name: string): Promise<string | null> => ((await isFile(join(root, name))) ? join(root, name) : null);
  const descriptions = (await Promise.all(['train_series_descriptions.csv', 'test_series_descriptions.csv'].map(csv))).filter(
    (p): p is string => p !== null,
  );
  return {
    kind: 'rsna',
    root,
    imageDirs,
    seriesDescriptionsCsv: descriptions,
    labelsCsv: await csv('train.csv'),
    coordinatesCsv: await csv('train_label_coordinates.csv'),
  };
}

/** Every regular file under `dir`, sorted, skipping hidden entries; symlinks are not followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}
