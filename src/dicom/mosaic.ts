// Siemens mosaics (fMRI, DWI): many slices tiled into one large plane, with the geometry of a single slice in the
// standard attributes. Read as one image they are mis-measured by tens to hundreds of millimetres; lumbar structural
// series never come as mosaics, so they are refused with UNSUPPORTED_DICOM rather than split.

import type { DataSet } from 'dicom-parser';
import { AppError } from '../domain/errors.js';
import { readString } from './dataset-values.js';
import { TAG } from './tags.js';

export function refuseMosaic(ds: DataSet, source: string): void {
  const imageType = (readString(ds, TAG.ImageType) ?? '')
    .toUpperCase()
    .split('\\')
    .map((v) => v.trim());
  const tiles = ds.elements[TAG.SiemensNumberOfImagesInMosaic] !== undefined && isSiemensCsa(ds);
  if (!imageType.includes('MOSAIC') && !tiles) return;
  throw new AppError(
    'UNSUPPORTED_DICOM',
    `${source}: Siemens mosaic (slices tiled into one image, as in fMRI and diffusion series) is not supported; ` +
      'export the series as single slices or as an enhanced MR object',
    { details: { source, reason: 'SIEMENS_MOSAIC' } },
  );
}

/** (0019,10xx) belongs to the Siemens CSA header only when the private creator (0019,0010) says so. */
function isSiemensCsa(ds: DataSet): boolean {
  return (readString(ds, 'x00190010') ?? '').trim().toUpperCase() === 'SIEMENS CSA HEADER';
}
