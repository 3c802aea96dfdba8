// WADO-RS retrieval of one instance into a temporary file, with transfer-syntax negotiation. Returns a failure
// (for the import's per-file report) when this instance cannot be had; throws when the source itself fails
// (unreachable, credentials refused, cancelled), which ends the whole pull.
import { Readable } from 'node:stream';
import { rm } from 'node:fs/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { isAppError } from '../domain/errors.js';
import type { DicomwebClient } from './client.js';
import { mediaTypeParameters, MultipartError, writeMultipartParts } from './multipart.js';
import { readPart10Meta } from './part10-meta.js';
import type { InstanceRef } from './qido.js';
import { isHttpAnswer, sourceUnreachable } from './source-error.js';
import { decoderReads, EXPLICIT_VR_LITTLE_ENDIAN, instanceAccept } from './transfer-syntax-negotiation.js';

export type RetrieveOutcome =
  | {
      readonly ok: true;
      readonly path: string;
      readonly bytes: number;
      readonly transferSyntaxUid: string;
      readonly sopClassUid: string | null;
    }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/** The transfer syntaxes to ask for, in order: the source's choice, then as stored, then Explicit VR LE. */
export function acceptOrder(preferred: string): string[] {
  return [...new Set([preferred, '*', EXPLICIT_VR_LITTLE_ENDIAN])];
}

export async function retrieveInstance(
  client: DicomwebClient,
  ref: InstanceRef,
  tempPath: string,
  signal?: AbortSignal,
): Promise<RetrieveOutcome> {
  const path = `/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}/instances/${ref.sopInstanceUid}`;
  let last: RetrieveOutcome = { ok: false, code: 'NOT_FOUND', reason: 'not retrieved' };
  for (const ts of acceptOrder(client.source.transferSyntax)) {
    const outcome = await retrieveOnce(client, path, ts, ref, tempPath, signal);
    if (outcome.ok) return outcome;
    last = outcome;
    // An instance the archive does not have will not appear under another transfer syntax.
    if (outcome.code === 'NOT_FOUND' || outcome.code === 'CONFLICT' || outcome.code === 'INVALID_DICOM') break;
  }
  return last;
}

async function retrieveOnce(
  client: DicomwebClient,
  path: string,
  transferSyntax: string,
  ref: InstanceRef,
  tempPath: string,
  signal?: AbortSignal,
): Promise<RetrieveOutcome> {
  let retrieval;
  try {
    retrieval = await client.retrieve(path, instanceAccept(transferSyntax), 'an instance retrieval', signal);
  } catch (e) {
    if (isHttpAnswer(e) && isAppError(e))
      return { ok: false, code: e.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'UNSUPPORTED_TRANSFER_SYNTAX', reason: e.message };
    throw e;
  }
  try {
    const stream = Readable.fromWeb(retrieval.body as unknown as NodeReadableStream<Uint8Array>);
    let parts;
    try {
      parts = await writeMultipartParts(stream, retrieval.contentType, (i) => `${tempPath}.${i}`, retrieval.touch);
    } catch (e) {
      if (e instanceof MultipartError)
        return { ok: false, code: 'INVALID_DICOM', reason: `the archive's answer is malformed: ${e.message}` };
      if (signal?.aborted || isAppError(e)) throw e;
      // The connection broke mid-answer (reset, closed): the source's failure, resumed by the next pull.
      throw sourceUnreachable(client.source.name, e);
    }
    const [part, ...extra] = parts;
    await Promise.all(extra.map((p) => rm(p.path, { force: true })));
    if (!part) return { ok: false, code: 'INVALID_DICOM', reason: 'the archive answered with no part' };
    const meta = await readPart10Meta(part.path);
    const fail = async (code: string, reason: string): Promise<RetrieveOutcome> => {
      await rm(part.path, { force: true });
      return { ok: false, code, reason };
    };
    if (!meta || !meta.transferSyntaxUid) return fail('INVALID_DICOM', 'the archive sent something that is not a DICOM Part 10 file');
    if (meta.sopInstanceUid && meta.sopInstanceUid !== ref.sopInstanceUid)
      return fail('CONFLICT', 'the archive sent a different instance than the one asked for');
    const declared = mediaTypeParameters(part.headers['content-type'] ?? '')['transfer-syntax'];
    if (declared && declared !== meta.transferSyntaxUid)
      return fail('INVALID_DICOM', 'the part declares another transfer syntax than its file meta information');
    if (!decoderReads(meta.transferSyntaxUid))
      return fail(
        'UNSUPPORTED_TRANSFER_SYNTAX',
        `the archive sent transfer syntax ${meta.transferSyntaxUid}, which spinegraph does not decode`,
      );
    return { ok: true, path: part.path, bytes: part.bytes, transferSyntaxUid: meta.transferSyntaxUid, sopClassUid: meta.sopClassUid };
  } finally {
    retrieval.done();
  }
}
