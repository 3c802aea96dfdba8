// Runs the PyTorch trainer as a child process: request JSON in, JSON lines of progress out (stdout), human logs
// on stderr. Cancelling (AbortSignal) sends SIGTERM, then SIGKILL if it does not stop in time.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AppError } from '../domain/errors.js';

// From the project root, so the compiled module (dist/training/) finds the same folder as the source one.
export const TRAINER_PYTHONPATH = fileURLToPath(new URL('../../src/training/python', import.meta.url));

/** One progress line of the trainer (docs/training-format.md); unknown fields pass through. */
export interface TrainerEvent {
  readonly event: 'start' | 'epoch' | 'step' | 'fold' | 'export' | 'done' | 'error' | string;
  readonly role?: string;
  readonly fold?: number;
  readonly epoch?: number;
  readonly epochs?: number;
  readonly step?: number;
  readonly loss?: number;
  readonly valMetric?: number;
  readonly eta_s?: number;
  readonly progress?: number;
  readonly message?: string;
  readonly [key: string]: unknown;
}

export interface TrainerRun {
  readonly python: string;
  readonly requestPath: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: TrainerEvent) => void;
  readonly onLog?: (line: string) => void;
  /** Grace between SIGTERM and SIGKILL on cancel. */
  readonly killAfterMs?: number;
}

export async function runTrainer(run: TrainerRun): Promise<{ events: TrainerEvent[]; stderrTail: string[] }> {
  return runSpinetrainerModule({ ...run, module: 'spinetrainer.train', args: ['--request', run.requestPath], what: 'The trainer' });
}

export interface ModuleRun extends Omit<TrainerRun, 'requestPath'> {
  /** e.g. `spinetrainer.import_seed`. */
  readonly module: string;
  readonly args: readonly string[];
  /** How errors name the process, e.g. 'The trainer'. */
  readonly what: string;
  /** Error code of a failure other than bad input (exit 2). */
  readonly failureCode?: 'TRAINING_FAILED' | 'INTERNAL_SERVER_ERROR';
}

/** Runs `python -m <module> <args>` with the spinetrainer package on PYTHONPATH; JSON lines on stdout are events. */
export async function runSpinetrainerModule(run: ModuleRun): Promise<{ events: TrainerEvent[]; stderrTail: string[] }> {
  run.signal?.throwIfAborted();
  const failureCode = run.failureCode ?? 'TRAINING_FAILED';
  const child = spawn(run.python, ['-m', run.module, ...run.args], {
    env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: TrainerEvent[] = [];
  const stderrTail: string[] = [];
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      run.onLog?.(line);
      return;
    }
    if (parsed && typeof parsed === 'object' && 'event' in parsed) {
      events.push(parsed as TrainerEvent);
      run.onEvent?.(parsed as TrainerEvent);
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    run.onLog?.(line);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), run.killAfterMs ?? 10_000);
  };
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  run.signal?.removeEventListener('abort', onAbort);
  clearTimeout(killTimer);
  if (spawnError)
    throw new AppError(failureCode, `Could not start ${run.what.toLowerCase()} with ${run.python}: ${spawnError.message}`, {
      retryable: false,
    });
  if (run.signal?.aborted) throw new AppError('JOB_CANCELLED', `${run.what} was cancelled`);
  if (code !== 0) {
    const error = [...events].reverse().find((e) => e.event === 'error');
    const reason = (error?.message as string | undefined) ?? stderrTail.slice(-5).join(' | ') ?? `exit ${code ?? signal}`;
    throw new AppError(code === 2 ? 'BAD_USER_INPUT' : failureCode, `${run.what} failed (exit ${code ?? signal}): ${reason}`);
  }
  if (!events.some((e) => e.event === 'done')) throw new AppError(failureCode, `${run.what} exited without reporting done`);
  return { events, stderrTail };
}
