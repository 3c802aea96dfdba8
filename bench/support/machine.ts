// The machine a benchmark ran on, as BENCHMARKS.md records it. The load average matters: these machines are shared.
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverage: readonly [number, number, number];
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
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average ${m.loadAverage.join(' / ')} (1/5/15 min) at start`;
}

/** The current 1-minute load average, for notes taken during a run. */
export function loadNow(): number {
  return round2(loadavg()[0]);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
