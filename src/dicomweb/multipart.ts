// A streaming reader of multipart/related bodies (RFC 2387, as WADO-RS sends them): each part's bytes go
// straight to a file as they arrive, so an instance of any size is never held in memory whole.
import { open, type FileHandle } from 'node:fs/promises';

export interface WrittenPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly path: string;
  readonly bytes: number;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** The boundary parameter of a multipart Content-Type, unquoted. */
export function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!/^multipart\//i.test(contentType.trim()) || !boundary) {
    throw new MultipartError(`expected a multipart/related answer with a boundary, got "${contentType.slice(0, 100)}"`);
  }
  return boundary;
}

/** Media-type parameters of a Content-Type (lower-case names), e.g. transfer-syntax. */
export function mediaTypeParameters(contentType: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of contentType.matchAll(/;\s*([A-Za-z0-9_-]+)=(?:"([^"]*)"|([^;\s]*))/g)) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

type Phase = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'epilogue';

/**
 * Reads `chunks` (the body of a response whose Content-Type is `contentType`) and writes part i to `pathOf(i)`.
 * Returns once the closing delimiter was read; a body that ends before it throws (the caller discards the files).
 */
export async function writeMultipartParts(
  chunks: AsyncIterable<Uint8Array>,
  contentType: string,
  pathOf: (index: number) => string,
  onChunk: () => void = () => undefined,
): Promise<WrittenPart[]> {
  const boundary = boundaryOf(contentType);
  // The first delimiter may open the body without a preceding CRLF; later ones always follow one.
  const firstDelimiter = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: WrittenPart[] = [];
  let phase: Phase = 'preamble';
  let pending: Buffer = Buffer.alloc(0);
  let file: FileHandle | null = null;
  let current: { headers: Record<string, string>; path: string; bytes: number } | null = null;

  const closePart = async (): Promise<void> => {
    if (!file || !current) return;
    await file.close();
    file = null;
    parts.push(current);
    current = null;
  };

  try {
    for await (const chunk of chunks) {
      onChunk();
      pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
      for (;;) {
        if (phase === 'preamble') {
          const at = pending.indexOf(firstDelimiter);
          if (at < 0) {
            pending = pending.subarray(Math.max(0, pending.length - firstDelimiter.length));
            break;
          }
          pending = pending.subarray(at + firstDelimiter.length);
          phase = 'after-delimiter';
        } else if (phase === 'after-delimiter') {
          if (pending.length < 2) break;
          if (pending[0] === 0x2d && pending[1] === 0x2d) {
            phase = 'epilogue';
            continue;
          }
          const eol = pending.indexOf('\r\n');
          if (eol < 0) break;
          pending = pending.subarray(eol + 2);
          phase = 'headers';
        } else if (phase === 'headers') {
          const end = pending.indexOf('\r\n\r\n');
          // A part without headers: the blank line follows the delimiter's CRLF directly.
          const empty = pending.length >= 2 && pending[0] === 0x0d && pending[1] === 0x0a;
          if (!empty && end < 0) {
            if (pending.length > 64 * 1024) throw new MultipartError('a part header is longer than 64 KiB');
            break;
          }
          const headerText = empty ? '' : pending.subarray(0, end).toString('latin1');
          pending = pending.subarray(empty ? 2 : end + 4);
          const headers: Record<string, string> = {};
          for (const line of headerText.split('\r\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
          current = { headers, path: pathOf(parts.length), bytes: 0 };
          file = await open(current.path, 'w');
          phase = 'body';
        } else if (phase === 'body') {
          const at = pending.indexOf(delimiter);
          const writable = at >= 0 ? at : Math.max(0, pending.length - (delimiter.length - 1));
          if (writable > 0 && file && current) {
            await file.write(pending.subarray(0, writable));
            current.bytes += writable;
          }
          pending = pending.subarray(at >= 0 ? at + delimiter.length : writable);
          if (at < 0) break;
          await closePart();
          phase = 'after-delimiter';
        } else {
          pending = Buffer.alloc(0);
          break;
        }
      }
    }
    if (phase !== 'epilogue') throw new MultipartError(`the multipart answer ended early (after ${parts.length} complete part(s))`);
    return parts;
  } finally {
    if (file) await (file as FileHandle).close().catch(() => undefined);
  }
}
