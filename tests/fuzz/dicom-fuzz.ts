// The DICOM fuzzer: seeded mutants of real files in every decodable transfer syntax, each decoded in a child process
// under a watchdog. Findings: a crash (the child died), a hang (no answer within the timeout), an opaque error (not
// an AppError, or a message that is a number, a raw TypeError, a stack overflow...), stale output (the mutant's
// result depends on what was decoded before it). Used by tests/integration/dicom-fuzz.test.ts (a few hundred cases) and by
// `npm run fuzz` (tests/fuzz/run.ts, thousands).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DecodeOutcome, FuzzReply, FuzzRequest } from './decode-child.js';
import { mutate, pixelRegion, random } from './mutate.js';
import { loadSeeds } from './seeds.js';

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  readonly workers: number;
  /** Per mutant (both decodes and both primers); beyond it the child is killed and the mutant is a hang. */
  readonly timeoutMs: number;
  /** After every case: how many are done, and the tallies so far (for progress lines and partial reports). */
  readonly onProgress?: (done: number, total: number, sofar: FuzzTally) => void;
}

export type FindingKind = 'crash' | 'hang' | 'opaque' | 'stale';

export interface FuzzFinding {
  readonly case: number;
  readonly kind: FindingKind;
  readonly seed: string;
  readonly mutation: string;
  readonly detail: string;
  readonly bytes: Uint8Array;
}

export interface SeedTally {
  cases: number;
  decoded: number;
  refused: number;
}

export interface FuzzTally {
  readonly decoded: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<FindingKind, number>>;
}

export interface FuzzReport {
  readonly cases: number;
  readonly seed: number;
  readonly decoded: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly findings: readonly FuzzFinding[];
  readonly counts: Readonly<Record<FindingKind, number>>;
  readonly perSeed: Readonly<Record<string, SeedTally>>;
  readonly slowestMs: number;
  readonly durationMs: number;
}

/** What a person could not act on: numbers for messages, JavaScript internals, no file name. */
const OPAQUE_MESSAGE =
  /(?:failed|error|exception):\s*-?\d+\s*(?:\(|$)|TypeError|ReferenceError|RangeError|Maximum call stack|Cannot read propert|is not a function|is not defined|\bundefined\b|\[object Object\]/;

export function opaqueReason(outcome: DecodeOutcome): string | undefined {
  if (outcome.kind === 'thrown') return `non-AppError thrown: ${outcome.message}`;
  if (outcome.kind !== 'refused') return undefined;
  if (outcome.code === 'INTERNAL_SERVER_ERROR') return `INTERNAL_SERVER_ERROR: ${outcome.message}`;
  if (!outcome.message.startsWith('mutant.dcm: ')) return `message does not name the file: ${outcome.message}`;
  if (OPAQUE_MESSAGE.test(outcome.message)) return `opaque message: ${outcome.message}`;
  return undefined;
}

function staleReason(a: DecodeOutcome, b: DecodeOutcome): string | undefined {
  if (a.kind === 'decoded' && b.kind === 'decoded') return a.hash === b.hash ? undefined : 'pixels differ with the previous decode';
  if ((a.kind === 'decoded') !== (b.kind === 'decoded')) return `outcome depends on the previous decode: ${a.kind} vs ${b.kind}`;
  return undefined;
}

const CHILD = fileURLToPath(new URL('./decode-child.ts', import.meta.url));

interface Worker {
  child: ChildProcess;
  stderr: string;
  ready: Promise<void>;
}

function startWorker(): Worker {
  const child = fork(CHILD, [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=1024', '--stack-size=984'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const worker: Worker = { child, stderr: '', ready: Promise.resolve() };
  child.stderr?.on('data', (chunk: Buffer) => {
    worker.stderr = (worker.stderr + chunk.toString()).slice(-2000);
  });
  worker.ready = new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (m && typeof m === 'object' && 'ready' in m) {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`fuzz child exited (${code}) before it was ready: ${worker.stderr}`)));
  });
  return worker;
}

type RunResult = { kind: 'reply'; reply: FuzzReply } | { kind: 'hang' } | { kind: 'crash'; detail: string };

function runOne(worker: Worker, request: FuzzRequest, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const { child } = worker;
    const done = (result: RunResult): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(result);
    };
    const onMessage = (m: unknown): void => {
      if (m && typeof m === 'object' && 'id' in m && (m as FuzzReply).id === request.id) done({ kind: 'reply', reply: m as FuzzReply });
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done({ kind: 'crash', detail: `child exited (code ${code}, signal ${signal}): ${worker.stderr.trim().slice(-500)}` });
    const timer = setTimeout(() => done({ kind: 'hang' }), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(request);
  });
}

function countFindings(findings: readonly FuzzFinding[]): Record<FindingKind, number> {
  const counts: Record<FindingKind, number> = { crash: 0, hang: 0, opaque: 0, stale: 0 };
  for (const f of findings) counts[f.kind]++;
  return counts;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const seeds = loadSeeds().map((s) => ({ ...s, region: pixelRegion(s.bytes) }));
  const rnd = random(options.seed);
  // Mutants are drawn in case order, so a case number and the seed reproduce one exactly.
  const mutants = Array.from({ length: options.cases }, (_, i) => {
    const seed = seeds[i % seeds.length];
    return { case: i, seed, mutant: mutate(seed.bytes, seed.region, rnd) };
  });

  const findings: FuzzFinding[] = [];
  const refused: Record<string, number> = {};
  const perSeed: Record<string, SeedTally> = {};
  let decoded = 0;
  let slowestMs = 0;
  let next = 0;
  let finished = 0;

  const record = (m: (typeof mutants)[number], kind: FindingKind, detail: string): void => {
    findings.push({ case: m.case, kind, seed: m.seed.name, mutation: m.mutant.description, detail, bytes: m.mutant.bytes });
  };

  async function lane(): Promise<void> {
    let worker = startWorker();
    await worker.ready;
    while (next < mutants.length) {
      const m = mutants[next++];
      const tally = (perSeed[m.seed.name] ??= { cases: 0, decoded: 0, refused: 0 });
      tally.cases++;
      const result = await runOne(
        worker,
        { id: m.case, seed: m.seed.name, primer: m.seed.primer, bytes: m.mutant.bytes },
        options.timeoutMs,
      );
      if (result.kind === 'reply') {
        const { afterSeed, afterPrimer, ms } = result.reply;
        slowestMs = Math.max(slowestMs, ms);
        if (afterSeed.kind === 'decoded') {
          decoded++;
          tally.decoded++;
        } else if (afterSeed.kind === 'refused') {
          refused[afterSeed.code] = (refused[afterSeed.code] ?? 0) + 1;
          tally.refused++;
        }
        const opaque = opaqueReason(afterSeed) ?? opaqueReason(afterPrimer);
        if (opaque) record(m, 'opaque', opaque);
        const stale = staleReason(afterSeed, afterPrimer);
        if (stale) record(m, 'stale', stale);
      } else {
        record(m, result.kind, result.kind === 'hang' ? `no answer within ${options.timeoutMs} ms` : result.detail);
        worker.child.kill('SIGKILL');
        worker = startWorker();
        await worker.ready;
      }
      options.onProgress?.(++finished, mutants.length, { decoded, refused, counts: countFindings(findings) });
    }
    worker.child.kill();
  }

  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, () => lane()));
  const counts = countFindings(findings);
  findings.sort((a, b) => a.case - b.case);
  return {
    cases: options.cases,
    seed: options.seed,
    decoded,
    refused,
    findings,
    counts,
    perSeed,
    slowestMs,
    durationMs: performance.now() - started,
  };
}
