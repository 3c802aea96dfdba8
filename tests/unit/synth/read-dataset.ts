// Test helpers: read back what the generator wrote, with dicom-parser and plain CSV splitting (no code of src/synth).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser, { type DataSet } from 'dicom-parser';

export type CsvRow = Record<string, string>;

export function readCsv(path: string): { header: string[]; rows: CsvRow[] } {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((line) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${path}: ${cells.length} cells, header has ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
  return { header, rows };
}

export interface ReadImage {
  readonly path: string;
  readonly dataSet: DataSet;
  readonly rows: number;
  readonly columns: number;
  readonly pixels: Uint16Array;
  /** [row spacing, column spacing] */
  readonly pixelSpacing: [number, number];
  readonly position: [number, number, number];
  readonly orientation: [number, number, number, number, number, number];
}

export function readImage(path: string): ReadImage {
  const bytes = readFileSync(path);
  const dataSet = dicomParser.parseDicom(new Uint8Array(bytes));
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const element = dataSet.elements.x7fe00010;
  const pixels = new Uint16Array(
    bytes.buffer.slice(bytes.byteOffset + element.dataOffset, bytes.byteOffset + element.dataOffset + element.length),
  );
  const ds = (tag: string, n: number): number[] => Array.from({ length: n }, (_, i) => dataSet.floatString(tag, i) ?? NaN);
  return {
    path,
    dataSet,
    rows,
    columns,
    pixels,
    pixelSpacing: ds('x00280030', 2) as [number, number],
    position: ds('x00200032', 3) as [number, number, number],
    orientation: ds('x00200037', 6) as [number, number, number, number, number, number],
  };
}

export function imagePath(outDir: string, studyId: string | number, seriesId: string | number, instance: string | number): string {
  return join(outDir, 'train_images', String(studyId), String(seriesId), `${instance}.dcm`);
}

/** Every .dcm file under the dataset, as paths relative to outDir, sorted. */
export function listFiles(outDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), join(rel, entry.name));
      else out.push(join(rel, entry.name));
    }
  };
  walk(join(outDir, 'train_images'), 'train_images');
  return out.sort();
}

/** Patient position of pixel (x, y). */
export function pixelToPatient(image: ReadImage, x: number, y: number): [number, number, number] {
  const [r0, r1, r2, c0, c1, c2] = image.orientation;
  const dx = x * image.pixelSpacing[1];
  const dy = y * image.pixelSpacing[0];
  const p = image.position;
  return [p[0] + dx * r0 + dy * c0, p[1] + dx * r1 + dy * c1, p[2] + dx * r2 + dy * c2];
}

/** Signed distance of a patient point from the image plane. */
export function distanceToPlane(image: ReadImage, point: readonly [number, number, number]): number {
  const [r0, r1, r2, c0, c1, c2] = image.orientation;
  const n = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const d = [point[0] - image.position[0], point[1] - image.position[1], point[2] - image.position[2]];
  return (d[0] * n[0] + d[1] * n[1] + d[2] * n[2]) / Math.hypot(n[0], n[1], n[2]);
}

/** Mean of the 3x3 pixels around (x, y) (nearest pixel centre). */
export function mean3x3(image: ReadImage, x: number, y: number): number {
  const cx = Math.round(x);
  const cy = Math.round(y);
  let sum = 0;
  let n = 0;
  for (let j = cy - 1; j <= cy + 1; j++) {
    for (let i = cx - 1; i <= cx + 1; i++) {
      if (i >= 0 && j >= 0 && i < image.columns && j < image.rows) {
        sum += image.pixels[j * image.columns + i];
        n++;
      }
    }
  }
  return sum / n;
}

/** The q-quantile (0..1) of the pixels in a square of half-side `halfMm` around (x, y). */
export function windowQuantile(image: ReadImage, x: number, y: number, halfMm: number, q: number): number {
  const hx = Math.round(halfMm / image.pixelSpacing[1]);
  const hy = Math.round(halfMm / image.pixelSpacing[0]);
  const values: number[] = [];
  for (let j = Math.round(y) - hy; j <= Math.round(y) + hy; j++) {
    for (let i = Math.round(x) - hx; i <= Math.round(x) + hx; i++) {
      if (i >= 0 && j >= 0 && i < image.columns && j < image.rows) values.push(image.pixels[j * image.columns + i]);
    }
  }
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}
