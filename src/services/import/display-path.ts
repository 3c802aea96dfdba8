// How an import names a file in what it stores and answers (job failures, reasons): relative to the import folder,
// never the server's path, and with every folder or file name that is not an identifier replaced by a keyed
// pseudonym, since PACS exports name folders after patients (`DOE_JOHN_19440229/`). Identifiers (RSNA study and
// series ids, DICOM UIDs, instance numbers: digits and dots) and the RSNA layout's own names are kept, so a
// person can still find the file; the same name always gets the same pseudonym under one secret.
import { createHmac } from 'node:crypto';
import { relative, sep } from 'node:path';

const LAYOUT_NAMES = new Set([
  'train_images',
  'test_images',
  'train.csv',
  'train_label_coordinates.csv',
  'train_series_descriptions.csv',
  'test_series_descriptions.csv',
]);
const IDENTIFIER = /^[0-9][0-9.]*(\.dcm)?$/i;

export function pseudonymousName(secret: string, name: string): string {
  const extension = /\.dcm$/i.test(name) ? '.dcm' : '';
  return `~${createHmac('sha256', secret).update(`name:${name}`).digest('hex').slice(0, 10)}${extension}`;
}

/** `path` (under `root`) as stored and shown: relative, non-identifier names pseudonymised. */
export function displayPath(root: string, path: string, secret: string): string {
  const rel = relative(root, path);
  if (rel === '') return '.';
  return rel
    .split(sep)
    .map((name) => (name === '..' || IDENTIFIER.test(name) || LAYOUT_NAMES.has(name) ? name : pseudonymousName(secret, name)))
    .join('/');
}
