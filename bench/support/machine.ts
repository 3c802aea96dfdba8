// The machine a benchmark ran on, as BENCHMARKS.md records it. The load average matters: these machines are shared.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverage: readonly [number, number, number];
  /** The SIMD and crypto flags that decoders, hashing and onnxruntime use when present (Linux /proc/cpuinfo). */
  readonly cpuFlags: readonly string[];
}

/** Flags that change what the benchmarks measure: vector units (decoders, onnxruntime), SHA and AES instructions. */
const RELEVANT_FLAGS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'amx_tile',
  'sha_ni',
  'aes',
  'neon',
  'asimd',
];

function cpuFlags(): string[] {
  try {
    const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    const present = new Set(line.split(/\s+/));
    return RELEVANT_FLAGS.filter((f) => present.has(f));
  } catch {
    return [];
  }
}

export function machineInfo(): MachineInfo {
  const [one, five, fifteen] = loadavg();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: [round2(one), round2(five), round2(fifteen)],
    cpuFlags: cpuFlags(),
  };
}

export function describeMachine(m: MachineInfo): string {
  // Reports written before the flags were recorded have none.
  const flags = m.cpuFlags?.length ? ` (flags: ${m.cpuFlags.join(' ')})` : '';
  return `${m.cpuModel}${flags}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average ${m.loadAverage.join(' / ')} (1/5/15 min) at start`;
}

/** The current 1-minute load average, for notes taken during a run. */
export function loadNow(): number {
  return round2(loadavg()[0]);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
