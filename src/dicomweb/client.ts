// One DICOMweb source over HTTP: QIDO-RS searches (DICOM JSON), WADO-RS retrievals (a multipart/related stream
// handed to the caller unread) and STOW-RS stores. Every failure becomes an AppError that names the source.
import type { DicomwebSource } from '../config/dicomweb-sources.js';
import { AuthHeader } from './auth-header.js';
import type { DicomJsonDataset } from './dicom-json.js';
import { sourceHttpError, sourceRejectedCredentials, sourceTimedOut, sourceUnreachable } from './source-error.js';

export interface Retrieval {
  readonly contentType: string;
  readonly body: ReadableStream<Uint8Array>;
  /** Call on every chunk: the download is aborted after idleTimeoutMs without one. */
  readonly touch: () => void;
  /** Stops the idle timer once the body is consumed. */
  readonly done: () => void;
}

export class DicomwebClient {
  private readonly auth: AuthHeader;

  constructor(readonly source: DicomwebSource) {
    this.auth = new AuthHeader(source);
  }

  /** QIDO-RS: `path` like `/studies` or `/studies/{uid}/instances`. */
  async search(path: string, params: URLSearchParams, what: string, signal?: AbortSignal): Promise<DicomJsonDataset[]> {
    const query = params.toString();
    const response = await this.request(`${path}${query ? `?${query}` : ''}`, { accept: 'application/dicom+json' }, what, signal);
    if (response.status === 204) return [];
    const text = await response.text();
    if (text.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw sourceHttpError(this.source.name, `${what} (the answer is not DICOM JSON)`, 502);
    }
    if (!Array.isArray(json)) throw sourceHttpError(this.source.name, `${what} (the answer is not a DICOM JSON array)`, 502);
    return json as DicomJsonDataset[];
  }

  /** WADO-RS: the response body is returned unread, for the caller to stream to disk. */
  async retrieve(path: string, accept: string, what: string, signal?: AbortSignal): Promise<Retrieval> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    let idle = false;
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort(sourceTimedOut(this.source.name, what, ms));
      }, ms);
    };
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    arm(this.source.requestTimeoutMs);
    try {
      const response = await this.request(path, { accept }, what, controller.signal, true);
      arm(this.source.idleTimeoutMs);
      if (!response.body) throw sourceHttpError(this.source.name, `${what} (empty answer)`, 502);
      return {
        contentType: response.headers.get('content-type') ?? '',
        body: response.body,
        touch: () => arm(this.source.idleTimeoutMs),
        done,
      };
    } catch (e) {
      done();
      if (idle) throw sourceTimedOut(this.source.name, what, this.source.requestTimeoutMs);
      throw e;
    }
  }

  /** STOW-RS of one or more Part 10 files; returns the archive's DICOM JSON answer (referenced and failed SOPs). */
  async store(files: readonly Uint8Array[], what: string, signal?: AbortSignal): Promise<DicomJsonDataset | null> {
    const boundary = `spinegraph-${crypto.randomUUID()}`;
    const chunks: Uint8Array[] = [];
    for (const f of files) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1'), f, Buffer.from('\r\n', 'latin1'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
    const response = await this.request(
      '/studies',
      {
        method: 'POST',
        accept: 'application/dicom+json',
        contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
        body: Buffer.concat(chunks),
      },
      what,
      signal,
    );
    const text = await response.text();
    if (!text.trim()) return null;
    try {
      const json = JSON.parse(text) as unknown;
      return (Array.isArray(json) ? json[0] : json) as DicomJsonDataset;
    } catch {
      return null;
    }
  }

  private async request(
    path: string,
    init: { method?: string; accept: string; contentType?: string; body?: Uint8Array },
    what: string,
    signal?: AbortSignal,
    streaming = false,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: init.accept };
      if (init.contentType) headers['content-type'] = init.contentType;
      const authorization = await this.auth.value();
      if (authorization) headers.authorization = authorization;
      const timeout = streaming ? undefined : AbortSignal.timeout(this.source.requestTimeoutMs);
      const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
      let response: Response;
      try {
        response = await fetch(`${this.source.baseUrl}${path}`, {
          method: init.method ?? 'GET',
          headers,
          body: init.body,
          signal: signals.length ? AbortSignal.any(signals) : undefined,
          redirect: 'error',
        });
      } catch (e) {
        if (timeout?.aborted) throw sourceTimedOut(this.source.name, what, this.source.requestTimeoutMs);
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : e;
        throw sourceUnreachable(this.source.name, e);
      }
      if (response.ok) return response;
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 401 || response.status === 403) {
        // A revoked OAuth token is fetched again, once.
        if (attempt === 0 && this.auth.forget()) continue;
        throw sourceRejectedCredentials(this.source.name, response.status);
      }
      throw sourceHttpError(this.source.name, what, response.status);
    }
  }
}
