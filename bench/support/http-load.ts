// A bounded load on one GraphQL request over loopback HTTP with autocannon: latency percentiles and requests/s,
// with every response checked (a 200 carrying GraphQL errors counts as a failure, not as a fast answer).
import { createRequire } from 'node:module';

/** The slice of autocannon's options and results used here (the package ships no types). */
interface AutocannonRequest {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method: 'POST';
  headers: Record<string, string>;
  body?: string;
  requests?: { setupRequest: (req: AutocannonRequest) => AutocannonRequest }[];
  verifyBody: (body: string) => boolean;
}
interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  latency: Histogram;
  requests: Histogram & { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface LoadResult {
  readonly connections: number;
  readonly durationS: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number; readonly max: number };
  /** Connection errors, timeouts, non-2xx answers and answers carrying GraphQL errors. */
  readonly failures: number;
  /** CPU time of this whole process (server and load generator) per request: less at the mercy of other load than latency. */
  readonly cpuMsPerRequest: number;
}

export interface GraphqlLoad {
  readonly url: string;
  readonly query: string;
  /** Variables for the n-th request (e.g. a different study each time); fixed when absent. */
  readonly variables?: (n: number) => Record<string, unknown>;
  readonly connections: number;
  readonly durationS: number;
}

const SETTLE_MS = 1000;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function loadGraphql(load: GraphqlLoad): Promise<LoadResult> {
  const body = (n: number): string => JSON.stringify({ query: load.query, variables: load.variables?.(n) ?? {} });
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.durationS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(load.variables ? { requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', body: body(sent++) }) }] } : { body: body(0) }),
    verifyBody: (text) => !text.includes('"errors"'),
  });
  const cpu = process.cpuUsage(cpuBefore);
  // autocannon stops sending at the deadline but the server may still be answering: let it finish, so that work
  // is neither counted in the next load nor cut short by a shutdown.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return {
    connections: load.connections,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total),
  };
}
