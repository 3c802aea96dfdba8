// Client of bench/python/torch_forward.py: one long-lived PyTorch process that times forward passes on request, so
// the benchmark can alternate onnxruntime and PyTorch model by model. Requests go one at a time (the two runtimes
// must never share the cores while timing).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { ModelRole } from '../../src/inference/roles.js';
import { PYTHON, REPO_ROOT, TRAINER_PYTHONPATH } from './full-model-set.js';

export interface TorchTimings {
  readonly ms: readonly number[];
}

interface Reply {
  readonly ok?: boolean;
  readonly error?: string;
  readonly [key: string]: unknown;
}

export class TorchForward {
  private readonly waiting: ((line: string | Error) => void)[] = [];
  private readonly lines: Interface;
  private stderr = '';
  /** torch.__version__ and the intra-op threads the server really runs with. */
  torchVersion = '';
  threads = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (l) => this.waiting.shift()?.(l));
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const fail = (why: string) => {
      for (const p of this.waiting.splice(0)) p(new Error(`torch_forward.py ${why}: ${this.stderr.trim()}`));
    };
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code) => fail(`exited with ${code}`));
  }

  /** Starts the server with `threads` intra-op threads and the exporter's priors file; waits for its ready line. */
  static async start(threads: number, priorsPath: string): Promise<TorchForward> {
    const child = spawn(PYTHON, [join(REPO_ROOT, 'bench/python/torch_forward.py'), String(threads), priorsPath], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const server = new TorchForward(child);
    const ready = JSON.parse(await server.nextLine()) as { torch: string; threads: number };
    server.torchVersion = ready.torch;
    server.threads = ready.threads;
    return server;
  }

  private async nextLine(): Promise<string> {
    const line = await new Promise<string | Error>((resolve) => this.waiting.push(resolve));
    if (line instanceof Error) throw line;
    return line;
  }

  private async request(body: Record<string, unknown>): Promise<Reply> {
    const answer = this.nextLine();
    this.child.stdin.write(`${JSON.stringify(body)}\n`);
    const line = await answer;
    const reply = JSON.parse(line) as Reply;
    if (reply.ok !== true) throw new Error(`torch_forward.py ${String(body.op)}: ${reply.error ?? line}`);
    return reply;
  }

  /** Eval-mode forward passes under inference_mode on a [batch] + sample-shape input. */
  async forward(role: ModelRole, batch: number, runs: number, warmup: number): Promise<TorchTimings & { stateSha256: string }> {
    const r = await this.request({ op: 'forward', role, batch, runs, warmup });
    return { ms: r.ms as number[], stateSha256: r.stateSha256 as string };
  }

  /** torch.mm of two [n, n] float32 matrices. */
  async matmul(n: number, runs: number, warmup: number): Promise<TorchTimings & { flops: number }> {
    const r = await this.request({ op: 'matmul', n, runs, warmup });
    return { ms: r.ms as number[], flops: r.flops as number };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(`${JSON.stringify({ op: 'exit' })}\n`);
    await exited;
    this.lines.close();
  }
}
