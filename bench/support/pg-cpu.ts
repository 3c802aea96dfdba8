// CPU time spent by PostgreSQL backends, read from /proc (the server runs on this machine). On a shared, loaded
// machine latency mostly measures the queue for a core; CPU time is what a query costs whatever else runs.
// Parallel workers are short-lived processes of their own and are not counted.
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms; 0 when it is gone or unreadable (not Linux, another host). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is [0], utime [11], stime [12]; comm may hold spaces, so cut at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Backends connected to the client's database, other than the client's own. */
export async function otherBackends(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.pid);
}

/** CPU of the database's backends while `fn` runs; connections opened during it count from zero. */
export async function backendCpuDuring<T>(
  client: pg.Client,
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; measurable: boolean }> {
  const before = new Map((await otherBackends(client)).map((pid) => [pid, processCpuMs(pid)]));
  const result = await fn();
  const after = await otherBackends(client);
  let cpuMs = 0;
  for (const pid of new Set([...before.keys(), ...after])) {
    const end = processCpuMs(pid);
    if (end > 0) cpuMs += end - (before.get(pid) ?? 0); // 0: the backend exited meanwhile, its time is lost
  }
  return { result, cpuMs: Math.max(0, cpuMs), measurable: [...before.keys(), ...after].some((pid) => processCpuMs(pid) > 0) };
}

/** CPU of this client's own backend per run of `fn`, with parallel query off so that the one backend does all the work. */
export async function serialCpuPerRun(client: pg.Client, runs: number, fn: () => Promise<unknown>): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0].pid;
  await client.query('SET max_parallel_workers_per_gather = 0');
  try {
    await fn();
    const start = processCpuMs(pid);
    for (let i = 0; i < runs; i++) await fn();
    return (processCpuMs(pid) - start) / runs;
  } finally {
    await client.query('RESET max_parallel_workers_per_gather');
  }
}
