// The transfer syntaxes spinegraph reads, and how each one's pixel data is laid out.

export const TS = {
  IMPLICIT_LE: '1.2.840.10008.1.2',
  EXPLICIT_LE: '1.2.840.10008.1.2.1',
  DEFLATED_EXPLICIT_LE: '1.2.840.10008.1.2.1.99',
  EXPLICIT_BE: '1.2.840.10008.1.2.2',
  JPEG_BASELINE_8: '1.2.840.10008.1.2.4.50',
  JPEG_EXTENDED_12: '1.2.840.10008.1.2.4.51',
  JPEG_LOSSLESS_P14: '1.2.840.10008.1.2.4.57',
  JPEG_LOSSLESS_SV1: '1.2.840.10008.1.2.4.70',
  JPEG_LS_LOSSLESS: '1.2.840.10008.1.2.4.80',
  JPEG_LS_NEAR_LOSSLESS: '1.2.840.10008.1.2.4.81',
  JPEG_2000_LOSSLESS: '1.2.840.10008.1.2.4.90',
  JPEG_2000: '1.2.840.10008.1.2.4.91',
  RLE_LOSSLESS: '1.2.840.10008.1.2.5',
} as const;

export type TransferSyntaxUid = (typeof TS)[keyof typeof TS];

/** Which decoder turns one encapsulated frame into samples. `native` means the bytes are the samples. */
export type PixelEncoding = 'native' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'rle';

export interface TransferSyntaxInfo {
  readonly uid: TransferSyntaxUid;
  readonly name: string;
  readonly encoding: PixelEncoding;
  readonly littleEndian: boolean;
  readonly lossy: boolean;
}

const info = (uid: TransferSyntaxUid, name: string, encoding: PixelEncoding, lossy = false, littleEndian = true): TransferSyntaxInfo =>
  Object.freeze({ uid, name, encoding, lossy, littleEndian });

const SUPPORTED: ReadonlyMap<string, TransferSyntaxInfo> = new Map(
  [
    info(TS.IMPLICIT_LE, 'Implicit VR Little Endian', 'native'),
    info(TS.EXPLICIT_LE, 'Explicit VR Little Endian', 'native'),
    info(TS.DEFLATED_EXPLICIT_LE, 'Deflated Explicit VR Little Endian', 'native'),
    info(TS.EXPLICIT_BE, 'Explicit VR Big Endian', 'native', false, false),
    info(TS.JPEG_BASELINE_8, 'JPEG Baseline (Process 1)', 'jpeg', true),
    info(TS.JPEG_EXTENDED_12, 'JPEG Extended (Process 2 & 4)', 'jpeg', true),
    info(TS.JPEG_LOSSLESS_P14, 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
    info(TS.JPEG_LOSSLESS_SV1, 'JPEG Lossless, Non-Hierarchical, First-Order Prediction', 'jpeg-lossless'),
    info(TS.JPEG_LS_LOSSLESS, 'JPEG-LS Lossless', 'jpeg-ls'),
    info(TS.JPEG_LS_NEAR_LOSSLESS, 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', true),
    info(TS.JPEG_2000_LOSSLESS, 'JPEG 2000 (Lossless Only)', 'jpeg-2000'),
    info(TS.JPEG_2000, 'JPEG 2000', 'jpeg-2000', true),
    info(TS.RLE_LOSSLESS, 'RLE Lossless', 'rle'),
  ].map((i) => [i.uid, i]),
);

export function transferSyntaxInfo(uid: string): TransferSyntaxInfo | undefined {
  return SUPPORTED.get(uid);
}

export function supportedTransferSyntaxes(): readonly TransferSyntaxInfo[] {
  return [...SUPPORTED.values()];
}
