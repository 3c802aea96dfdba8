// Reads the pixels of an instance's first frame and the display window its file suggests, through src/dicom.
// (loadFrame in services/inference returns the pixels alone; the renderer also needs the VOI window.)
import { readFile } from 'node:fs/promises';
import type { Database } from '../../db/client.js';
import { decodeFrame, parseDicom } from '../../dicom/index.js';
import { AppError } from '../../domain/errors.js';
import type { ImageFrame } from '../../domain/image.js';
import { resolveStorageUri } from '../storage/storage-uri.js';
import type { DisplayWindow } from './display-window.js';

export interface DisplayFrame {
  readonly frame: ImageFrame;
  /** WindowCenter/WindowWidth from the file (first values), when it has both. */
  readonly fileWindow: DisplayWindow | undefined;
}

export async function readDisplayFrame(db: Database, storageUri: string): Promise<DisplayFrame> {
  const path = await resolveStorageUri(db, storageUri);
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    // A file moved or deleted after import: the instance exists but its pixels do not.
    if (e.code === 'ENOENT') throw new AppError('NOT_FOUND', 'the DICOM file of this instance is no longer at its storage location');
    throw e;
  });
  // Named "this instance", not by its path: the message reaches the image route's answer.
  const instance = parseDicom(bytes, 'this instance');
  const frame = await decodeFrame(instance, 0);
  const { windowCenter, windowWidth } = instance;
  const fileWindow = windowCenter !== undefined && windowWidth !== undefined ? { centre: windowCenter, width: windowWidth } : undefined;
  return { frame, fileWindow };
}
