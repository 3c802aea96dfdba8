// Transfer-syntax negotiation for WADO-RS: ask for what the source is configured to send (as stored, or a
// transcoding such as JPEG-LS lossless), accept whatever arrives if spinegraph's decoder reads it, and ask once
// more for Explicit VR Little Endian (which every archive must be able to send) when it does not.
import { TS, transferSyntaxInfo } from '../dicom/transfer-syntax.js';

export const EXPLICIT_VR_LITTLE_ENDIAN: string = TS.EXPLICIT_LE;

export function instanceAccept(transferSyntax: string): string {
  return `multipart/related; type="application/dicom"; transfer-syntax=${transferSyntax}`;
}

export function decoderReads(transferSyntaxUid: string): boolean {
  return transferSyntaxInfo(transferSyntaxUid) !== undefined;
}
