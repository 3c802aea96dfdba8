// One file from disk -> parsed instance, its bytes (kept for decoding), size and SHA-256 for the Instance row.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../domain/errors.js';
import type { DicomInstance } from './instance.js';
import { parseDicom } from './parse.js';

export interface DicomFile {
  readonly instance: DicomInstance;
  readonly bytes: Uint8Array;
  readonly sizeBytes: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
}

export async function readDicomFile(path: string): Promise<DicomFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('BAD_USER_INPUT', `${path}: cannot read file (${code ?? (e as Error).message})`, {
      details: { source: path, code },
      cause: e,
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const instance = parseDicom(bytes, path);
  return { instance, bytes, sizeBytes: bytes.byteLength, sha256 };
}
