// Named DICOMweb sources, configured by the operator (DICOMWEB_SOURCES). Users pick a source by name and never
// supply a URL, so the server only ever talks to archives the operator listed (no server-side request forgery).
// Credentials live in Secret boxes: JSON.stringify, util.inspect and pino print them as [redacted].
import { inspect } from 'node:util';
import { z } from 'zod';

/** A credential that never prints: reveal() is the only way to its value. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

export type DicomwebAuth =
  | { readonly type: 'none' }
  | { readonly type: 'basic'; readonly username: string; readonly password: Secret }
  | { readonly type: 'bearer'; readonly token: Secret }
  | {
      readonly type: 'oauth2';
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Secret;
      readonly scope?: string;
    };

export interface DicomwebSource {
  readonly name: string;
  /** The DICOMweb root (QIDO, WADO and STOW share it), without a trailing slash. */
  readonly baseUrl: string;
  readonly auth: DicomwebAuth;
  /** Project names or ids that may use this source; `*` means every project. */
  readonly projects: readonly string[];
  /** Whole-request limit for QIDO and STOW, and the time to the first byte of a WADO response. */
  readonly requestTimeoutMs: number;
  /** A WADO download that receives nothing for this long is abandoned (and resumed by the next pull). */
  readonly idleTimeoutMs: number;
  /** Transfer syntax to ask for: `*` = as stored; a UID asks the archive to transcode (e.g. JPEG-LS lossless). */
  readonly transferSyntax: string;
  /** Instances retrieved in parallel. */
  readonly concurrency: number;
  /** Keep the original UIDs (encrypted) so SRs can reference the source's study. Off by default. */
  readonly linkage: boolean;
}

const secret = z
  .string()
  .min(1)
  .transform((s) => new Secret(s));
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: secret }).strict(),
  z.object({ type: z.literal('bearer'), token: secret }).strict(),
  z
    .object({
      type: z.literal('oauth2'),
      tokenUrl: httpUrl,
      clientId: z.string().min(1),
      clientSecret: secret,
      scope: z.string().optional(),
    })
    .strict(),
]);

const sourceSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits and _.- only (at most 63)'),
    baseUrl: httpUrl.transform((u) => u.replace(/\/+$/, '')),
    auth: authSchema.default({ type: 'none' }),
    projects: z.array(z.string().min(1)).min(1, 'name at least one project, or "*"'),
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    idleTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    transferSyntax: z
      .string()
      .regex(/^(\*|[0-9]+(\.[0-9]+)+)$/, 'a transfer syntax UID or *')
      .default('*'),
    concurrency: z.number().int().min(1).max(16).default(4),
    linkage: z.boolean().default(false),
  })
  .strict();

const sourcesSchema = z.array(sourceSchema).superRefine((sources, ctx) => {
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', message: `source name "${s.name}" is used twice` });
    seen.add(s.name);
  }
});

/** Parses the sources' JSON text; throws an Error whose message names the bad field (never a credential). */
export function parseDicomwebSources(text: string): readonly DicomwebSource[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is not valid JSON');
  }
  const parsed = sourcesSchema.safeParse(json);
  if (!parsed.success) {
    // Messages and paths only: zod's `input` could echo a password.
    throw new Error(parsed.error.issues.map((i) => `${['sources', ...i.path].join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
