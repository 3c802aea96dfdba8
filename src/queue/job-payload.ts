import { z } from 'zod';
import { JOB_KINDS } from '../domain/job.js';

/** What travels through Redis: ids only. Parameters live in the Job row; images never leave the disk. */
export const queuePayloadSchema = z.object({ jobId: z.string().uuid(), kind: z.enum(JOB_KINDS) });
export type QueuePayload = z.infer<typeof queuePayloadSchema>;

export const CANCEL_CHANNEL_SUFFIX = ':cancel';
