// The markdown section of `npm run bench -- jobs`.
import { fmt, type TimingSummary } from '../support/stats.js';
import type { CohortRun } from './cohort-throughput.js';
import type { LatencyResult } from './progress-latency.js';
import type { DrainResult, QueueOverheadResult } from './queue-overhead.js';

export interface JobsBenchResults {
  readonly cohort: { readonly studies: number; readonly size: number; readonly files: number };
  readonly queue: QueueOverheadResult;
  readonly cohortRuns: readonly CohortRun[];
  readonly latency: LatencyResult;
  readonly loadAtEnd: number;
}

const drainRow = (what: string, d: DrainResult) =>
  `| ${what} | ${d.concurrency} | ${d.jobs} | ${fmt(d.seconds, 2)} | ${fmt(d.jobsPerSecond, 0)} | ${fmt(1000 / d.jobsPerSecond, 2)} |`;
const latencyRow = (what: string, t: TimingSummary) =>
  `| ${what} | ${t.n} | ${fmt(t.p50)} | ${fmt(t.p99)} | ${fmt(t.mean)} | ${fmt(t.min)} | ${fmt(t.max)} |`;

export function jobsMarkdown(r: JobsBenchResults): string {
  const q = r.queue;
  const one = r.cohortRuns.find((c) => c.workers === 1);
  const lines = [
    '### Queue overhead (no-op jobs, one process, real Redis)',
    '',
    '| what | jobs | s | jobs/s |',
    '|---|---:|---:|---:|',
    `| enqueue one by one (JobQueues.add, awaited) | ${q.enqueueOneByOne.jobs} | ${fmt(q.enqueueOneByOne.seconds, 2)} | ${fmt(q.enqueueOneByOne.jobsPerSecond, 0)} |`,
    `| enqueue in bulk (Queue.addBulk) | ${q.enqueueBulk.jobs} | ${fmt(q.enqueueBulk.seconds, 2)} | ${fmt(q.enqueueBulk.jobsPerSecond, 0)} |`,
    `| start a job (JobService.start: ping, Job row, queue add, event) | ${q.lifecycleStart.jobs} | ${fmt(q.lifecycleStart.seconds, 2)} | ${fmt(q.lifecycleStart.jobsPerSecond, 0)} |`,
    `| start a cohort (JobService.startFlow: parent + ${q.flowStart.children} child rows, one flow) | ${q.flowStart.children + 1} | ${fmt(q.flowStart.seconds, 2)} | ${fmt((q.flowStart.children + 1) / q.flowStart.seconds, 0)} |`,
    '',
    '| processing | concurrency | jobs | s | jobs/s | ms/job |',
    '|---|---:|---:|---:|---:|---:|',
    ...q.bareDrain.map((d) => drainRow('bare BullMQ, no-op processor', d)),
    ...q.lifecycleDrain.map((d) => drainRow('job lifecycle (row RUNNING/COMPLETED + events), no-op handler', d)),
    '',
    `### Cohort inference through the queue (${r.cohort.studies} studies, ${r.cohort.size} px, ${r.cohort.files} files; fixture model set)`,
    '',
    'Each worker is a `spinegraph worker --queues inference --concurrency 1` process with INFERENCE_THREADS=1, warmed by an',
    'untimed 2-study flow; timed from the flow being queued to the parent job COMPLETED.',
    '',
    '| worker processes | studies | s | studies/min | speed-up | worker ms/study (child job) | pipeline ms/study |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.cohortRuns.map(
      (c) =>
        `| ${c.workers} | ${c.studies} | ${fmt(c.seconds)} | ${fmt(c.studiesPerMinute)} | ${one ? `${fmt(c.studiesPerMinute / one.studiesPerMinute, 2)}x` : '-'} | ${fmt(c.meanChildMs, 0)} | ${fmt(c.meanPipelineMs, 0)} |`,
    ),
    '',
    `Pipeline stages, mean busy ms per study (1 worker): ${
      one
        ? Object.entries(one.stagesMs)
            .filter(([, ms]) => ms >= 1)
            .sort((a, b) => b[1] - a[1])
            .map(([k, ms]) => `${k} ${fmt(ms, 0)}`)
            .join(', ')
        : '-'
    }.`,
    '',
    `### Mutation -> first events at a WebSocket subscriber (${r.latency.runs} runs, ms)`,
    '',
    'One API process (in the benchmark process), one warm worker process, a graphql-ws client subscribed to',
    '`jobUpdated(kind: INFERENCE)` before the mutations; each run is a `runInference` of one study, the next starts when',
    'the previous COMPLETED event has arrived.',
    '',
    '| from the mutation being sent to | n | p50 | p99 | mean | min | max |',
    '|---|---:|---:|---:|---:|---:|---:|',
    latencyRow('the mutation response', r.latency.mutation),
    latencyRow('the first event of the job (QUEUED, published by the API)', r.latency.firstEvent),
    latencyRow('the first event from the worker process (RUNNING)', r.latency.firstWorkerEvent),
    '',
    `Load average (1 min) at the end: ${r.loadAtEnd}.`,
  ];
  return lines.join('\n');
}
