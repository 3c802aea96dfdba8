import type { JobKind } from '../domain/job.js';

/** One BullMQ queue per job kind. */
export const QUEUE_NAMES = { import: 'import', inference: 'inference', training: 'training', quantize: 'quantize' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES);

export const QUEUE_OF_KIND: Readonly<Record<JobKind, QueueName>> = {
  IMPORT: 'import',
  INFERENCE: 'inference',
  TRAINING: 'training',
  QUANTIZE: 'quantize',
};

export function parseQueueList(text: string): QueueName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ALL_QUEUES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`Unknown queue(s): ${unknown.join(', ')}; known: ${ALL_QUEUES.join(', ')}`);
  return names as QueueName[];
}
