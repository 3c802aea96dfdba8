// What kind of folder an import points at: the Kaggle RSNA layout or a plain DICOM export. Links are looked at, not
// followed blindly: a CSV or an image folder that is a link leading out of the import folder counts as absent and
// is reported (confined-files.ts).
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { confinedFileOrNull, isInside, OUTSIDE_REASON, type RefusedEntry } from './confined-files.js';

export interface RsnaLayout {
  readonly kind: 'rsna';
  readonly root: string;
  /** `train_images` / `test_images` folders under the root. */
  readonly imageDirs: readonly string[];
  readonly seriesDescriptionsCsv: readonly string[];
  readonly labelsCsv: string | null;
  readonly coordinatesCsv: string | null;
  /** Entries of the root that are links leading out of it. */
  readonly refused: readonly RefusedEntry[];
}

export interface PlainLayout {
  readonly kind: 'plain';
  readonly root: string;
  readonly refused: readonly RefusedEntry[];
}

export type ImportLayout = RsnaLayout | PlainLayout;

const CSV_NAMES = ['train_series_descriptions.csv', 'test_series_descriptions.csv', 'train.csv', 'train_label_coordinates.csv'];

/** `root` must be a real path (no link in it): it is the boundary every file read stays inside. */
export async function detectLayout(root: string): Promise<ImportLayout> {
  const entries = await readdir(root, { withFileTypes: true });
  const refused: RefusedEntry[] = [];
  const imageDirs: string[] = [];
  for (const e of entries) {
    if (!/_images$/.test(e.name)) continue;
    const path = join(root, e.name);
    if (e.isDirectory()) imageDirs.push(path);
    else if (e.isSymbolicLink()) {
      const real = await realpath(path).catch(() => null);
      if (real && !isInside(root, real)) refused.push({ path, code: 'FORBIDDEN', reason: OUTSIDE_REASON });
      else if (real && (await stat(real)).isDirectory()) imageDirs.push(path);
    }
  }
  if (imageDirs.length === 0) return { kind: 'plain', root, refused };
  const csv = async (name: string): Promise<string | null> => {
    const path = join(root, name);
    const found = await confinedFileOrNull(root, path);
    if (!found && entries.some((e) => e.name === name && e.isSymbolicLink())) {
      const real = await realpath(path).catch(() => null);
      if (real && !isInside(root, real)) refused.push({ path, code: 'FORBIDDEN', reason: OUTSIDE_REASON });
    }
    return found;
  };
  const [trainDescriptions, testDescriptions, labelsCsv, coordinatesCsv] = await Promise.all(CSV_NAMES.map(csv));
  return {
    kind: 'rsna',
    root,
    imageDirs,
    seriesDescriptionsCsv: [trainDescriptions, testDescriptions].filter((p): p is string => p !== null),
    labelsCsv,
    coordinatesCsv,
    refused,
  };
}
